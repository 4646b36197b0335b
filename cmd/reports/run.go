// Package reports renders what a run leaves for people to look at after it:
// a JUnit XML test report, a GitHub Actions step summary and annotations,
// and a self-contained HTML page with a timeline. Each takes a Run, built
// from the jobs' records, and writes to an io.Writer; none of them knows
// flags or terminals.
package reports

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/runner"
)

// Job is one job as the reports show it: its record and the last lines of
// its stderr, when they are known.
type Job struct {
	runner.Record
	StderrTail string
	// StderrKnown tells an empty stderr from one that was not kept.
	StderrKnown bool
	// Start and End are the record's times, parsed; zero when the record's
	// are not RFC 3339.
	Start, End time.Time
}

// NewJob makes a Job of a record and a stderr tail: nil when not known,
// empty when the job wrote nothing there.
func NewJob(rec runner.Record, stderrTail []byte) Job {
	j := Job{Record: rec, StderrTail: ansiEscape.ReplaceAllString(string(stderrTail), ""), StderrKnown: stderrTail != nil}
	j.Start, _ = time.Parse(time.RFC3339Nano, rec.StartedAt)
	j.End, _ = time.Parse(time.RFC3339Nano, rec.FinishedAt)
	return j
}

// ansiEscape matches the terminal escape sequences (colours, cursor moves)
// that a job's stderr may hold; reports show the text without them.
var ansiEscape = regexp.MustCompile(`\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])`)

// Label is how the reports name the job to a person: its id, with its
// arguments or the start of its command beside it (termtext.JobLabel).
func (j Job) Label() string { return termtext.JobLabel(j.ID, j.Args, j.Command()) }

// StatusText is the job's status in words: "timed out".
func (j Job) StatusText() string { return termtext.StatusText(string(j.Status)) }

// Duration is the job's wall time across its attempts.
func (j Job) Duration() time.Duration { return time.Duration(j.DurationMS) * time.Millisecond }

// Failed reports whether the job counts as a failure in a report: failed or
// timed out (canceled jobs are shown, not blamed).
func (j Job) Failed() bool { return j.Status == runner.Failed || j.Status == runner.TimedOut }

// Command is the job's command as one line: a shell string as it is, an
// argv with each argument quoted where the shell would need it.
func (j Job) Command() string {
	if len(j.Cmd) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(j.Cmd, &s) == nil {
		return s
	}
	var argv []string
	if json.Unmarshal(j.Cmd, &argv) != nil {
		return ""
	}
	for i, a := range argv {
		argv[i] = shellQuote(a)
	}
	return strings.Join(argv, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Outcome says how the job ended, in words: "exit code 3", "killed by
// SIGKILL", "timed out after 5s", "succeeded".
func (j Job) Outcome() string {
	var parts []string
	switch {
	case j.Status == runner.Succeeded || j.Status == runner.Skipped:
		return j.StatusText()
	case j.Status == runner.TimedOut && j.Error != nil:
		return *j.Error
	case j.ExitCode != nil:
		parts = append(parts, "exit code "+strconv.Itoa(*j.ExitCode))
	case j.Signal != nil:
		parts = append(parts, "killed by "+*j.Signal)
	}
	if j.Error != nil {
		parts = append(parts, *j.Error)
	}
	if len(parts) == 0 {
		return j.StatusText()
	}
	return strings.Join(parts, ", ")
}

// Run is what the reports show of a run: its jobs in the order they
// finished, its counts and its wall time.
type Run struct {
	Title    string
	Jobs     []Job
	Counts   runner.Counts
	Duration time.Duration
	// Start is when the first job started; zero when no job ran.
	Start time.Time
}

// NewRun makes a Run of jobs, counting them and spanning the wall time
// from the first start to the last finish. notStarted adds the jobs that
// were accepted but never ran.
func NewRun(title string, jobs []Job, notStarted int) *Run {
	r := &Run{Title: title, Jobs: jobs}
	var end time.Time
	for _, j := range jobs {
		r.Counts.Jobs++
		r.Counts.Add(j.Status)
		r.Counts.Retries += max(j.Attempts-1, 0)
		if !j.ran() {
			continue // it did not run in this run
		}
		if !j.Start.IsZero() && (r.Start.IsZero() || j.Start.Before(r.Start)) {
			r.Start = j.Start
		}
		if j.End.After(end) {
			end = j.End
		}
	}
	r.Counts.Jobs += notStarted
	r.Counts.NotStarted = notStarted
	if !r.Start.IsZero() && end.After(r.Start) {
		r.Duration = end.Sub(r.Start)
	}
	return r
}

// FailedJobs are the jobs that failed or timed out, in finishing order.
func (r *Run) FailedJobs() []Job {
	var out []Job
	for _, j := range r.Jobs {
		if j.Failed() {
			out = append(out, j)
		}
	}
	return out
}

// BlockedJobs are the jobs that did not run because a need did not
// succeed (dep_failed), in finishing order.
func (r *Run) BlockedJobs() []Job {
	var out []Job
	for _, j := range r.Jobs {
		if j.Status == runner.DepFailed {
			out = append(out, j)
		}
	}
	return out
}

// ran reports whether the job ran in its run: not skipped, and not kept
// from running by its needs.
func (j Job) ran() bool {
	return j.Status != runner.Skipped && j.Status != runner.DepFailed && j.Status != runner.NotNeeded
}

// Slowest returns the n jobs that took longest, longest first; jobs that
// did not run are left out.
func (r *Run) Slowest(n int) []Job {
	var out []Job
	for _, j := range r.Jobs {
		if j.ran() {
			out = append(out, j)
		}
	}
	slices.SortStableFunc(out, func(a, b Job) int { return cmp.Compare(b.DurationMS, a.DurationMS) })
	return out[:min(n, len(out))]
}

// Heaviest returns the n jobs that used the most memory and the n that
// used the most CPU, or nil when no job used any; skipped jobs are left
// out.
func (r *Run) Heaviest(n int) *runner.Heaviest {
	h := runner.NewHeaviest(n)
	for _, j := range r.Jobs {
		if j.Status != runner.Skipped {
			h.Add(j.ID, j.Usage())
		}
	}
	if h.Empty() {
		return nil
	}
	return h
}

// maxTail is how much of a saved stderr file a report reads: its end.
const maxTail = 4 << 10

// ReadStderrTail returns the last bytes of a job's saved stderr file (the
// record's stderr_file, from --output-dir), or nil when there is none or it
// is not a regular file (an empty file is an empty, not a nil, slice). A results file comes from outside: the path is
// only read, never followed into a directory or a device, and only its end.
func ReadStderrTail(path string) []byte {
	if path == "" || !strings.HasSuffix(path, ".stderr") {
		return nil
	}
	// Non-blocking: a FIFO planted under the name must not hold the report.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	off := max(fi.Size()-maxTail, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, off, maxTail))
	if err != nil {
		return nil
	}
	if b == nil {
		b = []byte{}
	}
	if off > 0 { // start on a whole line
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return b
}

// LastLines returns at most n last lines of s, without a final newline.
func LastLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
