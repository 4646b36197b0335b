package fleet

import (
	"errors"
	"fmt"
)

// Names are the streams, the consumer, the subjects and the reply inboxes
// of one namespace. Teams that share a NATS account each take a prefix of
// their own, so that their jobs, workers and results never meet; with no
// prefix the names are drover's first ones (JobsStream, ResultsStream,
// WorkerGroup, subjects drover.jobs.RUN and so on).
//
// With the prefix P, the streams are DROVER_P_JOBS and DROVER_P_RESULTS,
// the consumer drover-P-workers, the bucket of runs DROVER_P_RUNS, the
// subjects drover.P.jobs.RUN, drover.P.results.RUN, drover.P.notice.RUN,
// drover.P.cancel.RUN, drover.P.run.RUN and drover.P.status, and the
// reply inboxes _INBOX_P.>. Every name of a namespace starts with
// something no other namespace's names start with, so NATS permissions
// can give a team its own names and nothing else.
type Names struct {
	Prefix        string // "" for drover's first names
	JobsStream    string
	ResultsStream string
	Consumer      string // the workers' durable consumer on JobsStream
	RunsBucket    string // the key-value bucket of the runs (stream KV_ + RunsBucket)
	// Inbox is the prefix of the reply subjects of every connection in
	// the namespace ("_INBOX" with no prefix).
	Inbox string

	subjects string // "drover." or "drover.P.": the start of every subject
}

// The default names, used with no prefix.
const (
	JobsStream    = "DROVER_JOBS"    // work queue: one message per job, removed once acknowledged
	ResultsStream = "DROVER_RESULTS" // one message per finished job (or more, when a job ran twice)
	WorkerGroup   = "drover-workers" // the durable pull consumer every worker shares
)

// MaxPrefix is the longest prefix, in bytes.
const MaxPrefix = 32

// reservedPrefixes would make a namespace's subjects those of the default
// one: drover.jobs.jobs.RUN is also in drover.jobs.>.
var reservedPrefixes = []string{"jobs", "results", "notice", "cancel", "run", "status"}

// NewNames returns the names of the namespace prefix ("" for none). A
// prefix is 1 to MaxPrefix letters, digits, '-' or '_', and none of jobs,
// results, notice, cancel, run and status.
func NewNames(prefix string) (Names, error) {
	if prefix == "" {
		return Names{JobsStream: JobsStream, ResultsStream: ResultsStream, Consumer: WorkerGroup, RunsBucket: RunsBucket,
			Inbox: "_INBOX", subjects: "drover."}, nil
	}
	if err := checkToken(prefix, MaxPrefix); err != nil {
		return Names{}, fmt.Errorf("prefix %q %w", prefix, err)
	}
	for _, r := range reservedPrefixes {
		if prefix == r {
			return Names{}, fmt.Errorf("prefix %q is reserved: drover's own subjects start with drover.%s", prefix, r)
		}
	}
	return Names{
		Prefix:        prefix,
		JobsStream:    "DROVER_" + prefix + "_JOBS",
		ResultsStream: "DROVER_" + prefix + "_RESULTS",
		Consumer:      "drover-" + prefix + "-workers",
		RunsBucket:    "DROVER_" + prefix + "_RUNS",
		Inbox:         "_INBOX_" + prefix,
		subjects:      "drover." + prefix + ".",
	}, nil
}

// Subjects of one run (run: a run id), or of every run (run: "*").
func (n Names) jobs(run string) string    { return n.subjects + "jobs." + run }
func (n Names) results(run string) string { return n.subjects + "results." + run }
func (n Names) notice(run string) string  { return n.subjects + "notice." + run }
func (n Names) cancel(run string) string  { return n.subjects + "cancel." + run }
func (n Names) live(run string) string    { return n.subjects + "run." + run } // the live submitter answers
func (n Names) status() string            { return n.subjects + "status" }     // the workers answer with the jobs they hold

// MaxRunID is the longest run id, in bytes.
const MaxRunID = 64

// CheckRunID checks a run id: 1 to MaxRunID letters, digits, '-' or '_'
// (drover makes 16 hex digits). Anything else could not be one token of a
// subject.
func CheckRunID(run string) error {
	if err := checkToken(run, MaxRunID); err != nil {
		return fmt.Errorf("run id %q %w", shortened(run), err)
	}
	return nil
}

// checkToken checks that s is 1 to limit bytes of [A-Za-z0-9_-]: valid in
// a stream name, a consumer name and as one token of a subject.
func checkToken(s string, limit int) error {
	switch {
	case s == "":
		return errors.New("is empty")
	case len(s) > limit:
		return fmt.Errorf("is %d bytes long; the limit is %d", len(s), limit)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("contains %q: only ASCII letters, digits, '-' and '_' are allowed", c)
		}
	}
	return nil
}

// shortened cuts a string from the outside to a length fit for a message.
func shortened(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
