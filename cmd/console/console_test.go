package console

import (
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

func TestSummaryListsTwentyFailures(t *testing.T) {
	var failures []Failure
	for i := range MaxListedFailures {
		job := &jobspec.Job{ID: "j" + strings.Repeat("x", i)}
		failures = append(failures, Failure{Result: &runner.Result{Job: job, Status: runner.Failed, ExitCode: new(int)}})
	}
	var b strings.Builder
	PrintSummary(&b, NewPalette(false), runner.Summary{Counts: runner.Counts{Jobs: 30, Failed: 22, TimedOut: 3}}, failures)
	if n := strings.Count(b.String(), "  failed: "); n != MaxListedFailures || !strings.Contains(b.String(), "  … and 5 more\n") {
		t.Errorf("%d listed:\n%s", n, b.String())
	}
}
