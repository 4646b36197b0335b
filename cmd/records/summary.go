package records

import (
	"encoding/json"
	"os"

	"github.com/drover/drover/runner"
)

// SummaryJSON is the object of the summary file.
type SummaryJSON struct {
	Jobs        int     `json:"jobs"`
	Succeeded   int     `json:"succeeded"`
	Failed      int     `json:"failed"`
	TimedOut    int     `json:"timed_out"`
	Canceled    int     `json:"canceled"`
	Skipped     int     `json:"skipped"`
	NotStarted  int     `json:"not_started"`
	Retries     int     `json:"retries"`
	DurationMS  int64   `json:"duration_ms"`
	HeldMS      int64   `json:"held_ms,omitempty"`  // starts held by the throttling limits
	Requeued    int     `json:"requeued,omitempty"` // attempts stopped for want of memory
	Interrupted *string `json:"interrupted"`
	ExitCode    int     `json:"exit_code"`
	// DeadlinePassed is true when the run's --deadline passed and stopped
	// it; it comes last, after the fields of the first version.
	DeadlinePassed bool `json:"deadline_passed"`
	// DepFailed and NotNeeded count the jobs their needs kept from
	// running: a need did not succeed, or they had nothing to do.
	DepFailed int `json:"dep_failed"`
	NotNeeded int `json:"not_needed"`
	// Heaviest names the jobs that used the most memory and CPU; absent
	// when no job used any.
	Heaviest *HeaviestJSON `json:"heaviest,omitempty"`
}

// HeaviestJSON is the summary's heaviest jobs, heaviest first.
type HeaviestJSON struct {
	Memory []HeavyJSON `json:"memory"`
	CPU    []HeavyJSON `json:"cpu"`
}

// HeavyJSON is one of the heaviest jobs, with its usage as its record
// gives it.
type HeavyJSON struct {
	ID          string `json:"id"`
	MaxRSSBytes int64  `json:"max_rss_bytes"`
	UserMS      int64  `json:"user_ms"`
	SysMS       int64  `json:"sys_ms"`
}

func heaviestJSON(h *runner.Heaviest) *HeaviestJSON {
	if h == nil || h.Empty() {
		return nil
	}
	list := func(jobs []runner.Heavy) []HeavyJSON {
		out := []HeavyJSON{}
		for _, j := range jobs {
			out = append(out, HeavyJSON{ID: j.ID, MaxRSSBytes: j.Usage.MaxRSS, UserMS: j.Usage.User.Milliseconds(), SysMS: j.Usage.Sys.Milliseconds()})
		}
		return out
	}
	return &HeaviestJSON{Memory: list(h.Memory), CPU: list(h.CPU)}
}

// Summary is the summary file: the counts, how the run was interrupted
// and its exit code, as one JSON object written when the run is over.
type Summary struct {
	f        *os.File
	heaviest *runner.Heaviest
}

// CreateSummary creates (or empties) the summary file at path.
func CreateSummary(path string) (*Summary, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &Summary{f: f, heaviest: runner.NewHeaviest(runner.HeaviestListed)}, nil
}

// Record weighs the job for the summary's heaviest jobs; the summary is
// written once, by Finish.
func (s *Summary) Record(res *runner.Result) error {
	if res.Status != runner.Skipped {
		s.heaviest.Add(res.Job.ID, res.Usage)
	}
	return nil
}

// Finish writes the summary and closes the file.
func (s *Summary) Finish(o Outcome) error {
	f := s.f
	if f == nil {
		return nil
	}
	s.f = nil
	return writeSummaryJSON(f, o.Summary, s.heaviest, o.Interrupted, o.ExitCode)
}

// Close closes the file; it may be called more than once.
func (s *Summary) Close() error {
	if s.f == nil {
		return nil
	}
	f := s.f
	s.f = nil
	return f.Close()
}

// writeSummaryJSON writes the summary object to f and closes it. interrupted
// names the signal that interrupted the run ("" for none).
func writeSummaryJSON(f *os.File, sum runner.Summary, heaviest *runner.Heaviest, interrupted string, code int) error {
	b, err := summaryJSON(sum, heaviest, interrupted, code)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return err
	}
	return f.Close()
}

// summaryJSON is the summary object, as one line without its newline.
func summaryJSON(sum runner.Summary, heaviest *runner.Heaviest, interrupted string, code int) ([]byte, error) {
	s := SummaryJSON{
		Jobs: sum.Jobs, Succeeded: sum.Succeeded, Failed: sum.Failed, TimedOut: sum.TimedOut,
		Canceled: sum.Canceled, Skipped: sum.Skipped, NotStarted: sum.NotStarted,
		Retries: sum.Retries, DurationMS: sum.Duration.Milliseconds(), ExitCode: code,
		HeldMS: sum.Held.Total().Milliseconds(), Requeued: sum.Requeued, DeadlinePassed: sum.DeadlinePassed,
		DepFailed: sum.DepFailed, NotNeeded: sum.NotNeeded,
		Heaviest: heaviestJSON(heaviest),
	}
	if interrupted != "" {
		name := interrupted
		s.Interrupted = &name
	}
	return json.Marshal(s)
}
