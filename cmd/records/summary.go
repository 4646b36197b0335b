package records

import (
	"encoding/json"
	"os"

	"github.com/drover/drover/runner"
)

// SummaryJSON is the object of the summary file (--summary-json).
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
	Interrupted *string `json:"interrupted"`
	ExitCode    int     `json:"exit_code"`
}

// WriteSummaryJSON writes the summary object to f and closes it. interrupted
// names the signal that interrupted the run ("" for none).
func WriteSummaryJSON(f *os.File, sum runner.Summary, interrupted string, code int) error {
	s := SummaryJSON{
		Jobs: sum.Jobs, Succeeded: sum.Succeeded, Failed: sum.Failed, TimedOut: sum.TimedOut,
		Canceled: sum.Canceled, Skipped: sum.Skipped, NotStarted: sum.NotStarted,
		Retries: sum.Retries, DurationMS: sum.Duration.Milliseconds(), ExitCode: code,
	}
	if interrupted != "" {
		name := interrupted
		s.Interrupted = &name
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return err
	}
	return f.Close()
}
