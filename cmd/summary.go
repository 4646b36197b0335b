package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/drover/drover/runner"
)

// stderrLines is how many of a failed job's last stderr lines the summary
// shows.
const stderrLines = 5

// printSummary writes the human summary of a run to w.
func printSummary(w io.Writer, sum runner.Summary, failures []failure, failed int) {
	fmt.Fprintf(w, "drover: %s in %s: %d succeeded, %d failed, %d timed out, %d canceled, %d skipped, %d not started; %s\n",
		plural(sum.Jobs, "job"), sum.Duration.Round(time.Millisecond), sum.Succeeded, sum.Failed, sum.TimedOut,
		sum.Canceled, sum.Skipped, sum.NotStarted, plural(sum.Retries, "retry"))
	if sum.RetriesDenied > 0 {
		fmt.Fprintf(w, "drover: the retry budget was spent: %s not retried\n", plural(sum.RetriesDenied, "failure"))
	}
	if sum.StoppedByFailures {
		fmt.Fprintln(w, "drover: stopped after reaching --max-failures")
	}
	for _, f := range failures {
		fmt.Fprintf(w, "  %s %s (%s, %s)\n", statusWord(f.res.Status), f.res.Job.ID, outcome(f.res), f.res.Job.Record)
		for _, line := range lastLines(f.tail, stderrLines) {
			fmt.Fprintf(w, "    | %s\n", line)
		}
	}
	if failed > len(failures) {
		fmt.Fprintf(w, "  … and %d more\n", failed-len(failures))
	}
}

func statusWord(s runner.Status) string {
	if s == runner.TimedOut {
		return "timed out:"
	}
	return string(s) + ":"
}

// outcome says how a job ended: its exit code, signal or error.
func outcome(res *runner.Result) string {
	switch {
	case res.Status == runner.TimedOut && res.Err != nil:
		return strings.TrimPrefix(res.Err.Error(), "timed out ")
	case res.Signal != "":
		return "killed by " + res.Signal
	case res.ExitCode != nil:
		return fmt.Sprintf("exit code %d", *res.ExitCode)
	case res.Err != nil:
		return res.Err.Error()
	}
	return string(res.Status)
}

func lastLines(b []byte, n int) []string {
	b = bytes.TrimRight(b, "\n")
	if len(b) == 0 {
		return nil
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// summaryJSON is the --summary-json object.
type summaryJSON struct {
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

func writeSummaryJSON(f *os.File, sum runner.Summary, interrupted os.Signal, code int) error {
	s := summaryJSON{
		Jobs: sum.Jobs, Succeeded: sum.Succeeded, Failed: sum.Failed, TimedOut: sum.TimedOut,
		Canceled: sum.Canceled, Skipped: sum.Skipped, NotStarted: sum.NotStarted,
		Retries: sum.Retries, DurationMS: sum.Duration.Milliseconds(), ExitCode: code,
	}
	if interrupted != nil {
		name := signalName(interrupted)
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
