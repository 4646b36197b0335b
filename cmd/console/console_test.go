package console

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

func TestShellQuoteRoundTrips(t *testing.T) {
	argv := []string{"printf", "%s|", "plain", "two words", "it's", "", "tab\there", "new\nline", `back\slash`, "$HOME", "ünï"}
	quoted := shellQuote(argv)
	if strings.Contains(quoted, "\n") {
		t.Fatalf("quoted argv spans lines: %q", quoted)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is needed to read $'…' back")
	}
	out, err := exec.Command(bash, "-c", quoted).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(argv[2:], "|") + "|"; string(out) != want {
		t.Errorf("bash read back %q, want %q", out, want)
	}
}

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
