package console

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/runner"
)

// stderrLines is how many of a failed job's last stderr lines the summary
// shows.
const stderrLines = 5

// Palette colours the summary. Each colour is switched on or off on its
// own, never through fatih/color's global switch.
type Palette struct {
	ok, bad, warn, dim *color.Color
}

func NewPalette(on bool) Palette {
	p := Palette{
		ok:   color.New(color.FgGreen),
		bad:  color.New(color.FgRed, color.Bold),
		warn: color.New(color.FgYellow),
		dim:  color.New(color.Faint),
	}
	for _, c := range []*color.Color{p.ok, p.bad, p.warn, p.dim} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// count colours a count when it is not zero.
func count(c *color.Color, n int, what string) string {
	s := fmt.Sprintf("%d %s", n, what)
	if n == 0 {
		return s
	}
	return c.Sprint(s)
}

// UseColor resolves a colour mode: auto means on a terminal, unless NO_COLOR is
// set (to anything) or TERM is dumb.
func UseColor(mode string, ios *iostreams.IOStreams) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return ios.ErrTTY && ios.Getenv("NO_COLOR") == "" && ios.Getenv("TERM") != "dumb", nil
	}
	return false, fmt.Errorf("%w %q (want auto, always or never)", ErrUnknownMode, mode)
}

// PrintSummary writes the human summary of a run to w.
func PrintSummary(w io.Writer, p Palette, sum runner.Summary, failures []Failure) {
	printSummary(w, p, sum, failures, "", "")
}

// printSummary writes the summary; failureRule and successRule are the
// flags that set the failure and success limits, as given ("" for
// --max-failures and --stop-on-success).
func printSummary(w io.Writer, p Palette, sum runner.Summary, failures []Failure, failureRule, successRule string) {
	fmt.Fprintf(w, "drover: %s in %s: %s, %s, %s, %s, %d skipped, %s%s; %s\n",
		runner.Plural(sum.Jobs, "job"), sum.Duration.Round(time.Millisecond),
		count(p.ok, sum.Succeeded, "succeeded"), count(p.bad, sum.Failed, "failed"),
		count(p.bad, sum.TimedOut, "timed out"), count(p.warn, sum.Canceled, "canceled"),
		sum.Skipped, dependencyCounts(p, sum), count(p.warn, sum.NotStarted, "not started"), runner.Plural(sum.Retries, "retry"))
	if line := blockedLine(sum); line != "" {
		fmt.Fprintf(w, "drover: %s\n", p.bad.Sprint(line))
	}
	if sum.RetriesDenied > 0 {
		fmt.Fprintf(w, "drover: %s\n", p.warn.Sprintf("the retry budget was spent: %s not retried", runner.Plural(sum.RetriesDenied, "failure")))
	}
	if sum.Escaped > 0 {
		fmt.Fprintf(w, "drover: %s\n", p.warn.Sprintf("stopped %s that jobs had left running outside their process groups", runner.Plural(sum.Escaped, "process")))
	}
	if line := heldLine(sum); line != "" {
		fmt.Fprintf(w, "drover: %s\n", line)
	}
	if sum.StoppedByFailures {
		if failureRule == "" {
			failureRule = "--max-failures"
		}
		fmt.Fprintf(w, "drover: %s\n", p.warn.Sprint("stopped after reaching "+failureRule))
	}
	if sum.StoppedBySuccess {
		if successRule == "" {
			successRule = "--stop-on-success"
		}
		fmt.Fprintf(w, "drover: %s\n", p.warn.Sprint("stopped after reaching "+successRule))
	}
	if sum.Stop == runner.StopCanceled {
		fmt.Fprintf(w, "drover: %s\n", p.warn.Sprint("canceled by drover cancel"))
	}
	if sum.DeadlinePassed {
		fmt.Fprintf(w, "drover: %s\n", p.warn.Sprint("stopped when the --deadline passed"))
	}
	for _, f := range failures {
		fmt.Fprintf(w, "  %s %s (%s, %s)\n", p.bad.Sprint(statusWord(f.Result.Status)), Label(f.Result.Job),
			termtext.Escape(outcome(f.Result)), termtext.Escape(f.Result.Job.Record.String()))
		for _, line := range lastLines(f.Tail, stderrLines) {
			fmt.Fprintf(w, "    %s %s\n", p.dim.Sprint("|"), termtext.Escape(line))
		}
	}
	if failed := sum.Failed + sum.TimedOut; failed > len(failures) {
		fmt.Fprintf(w, "  … and %d more\n", failed-len(failures))
	}
}

func statusWord(s runner.Status) string { return termtext.StatusText(string(s)) + ":" }

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
	return termtext.StatusText(string(res.Status))
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

// dependencyCounts are the counts of the jobs that did not run because of
// their needs, shown only when there are some.
func dependencyCounts(p Palette, sum runner.Summary) string {
	var s string
	if sum.DepFailed > 0 {
		s += count(p.bad, sum.DepFailed, "dep_failed") + ", "
	}
	if sum.NotNeeded > 0 {
		s += fmt.Sprintf("%d not needed, ", sum.NotNeeded)
	}
	return s
}

// blockedLine names the root causes of the dep_failed jobs: "3 dep_failed:
// build failed", or with several "4 dep_failed: build failed (3), fetch
// failed (1)".
func blockedLine(sum runner.Summary) string {
	if sum.DepFailed == 0 || len(sum.Blocked) == 0 {
		return ""
	}
	causes := make([]string, len(sum.Blocked))
	for i, b := range sum.Blocked {
		causes[i] = termtext.Escape(b.ID) + " failed"
		if len(sum.Blocked) > 1 {
			causes[i] += fmt.Sprintf(" (%d)", b.Jobs)
		}
	}
	return fmt.Sprintf("%d dep_failed: %s", sum.DepFailed, strings.Join(causes, ", "))
}
