package records

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// saved is a job's output that was also saved to files.
type saved struct{ runner.JobOutput }

func (saved) Files() (string, string) { return "out/a.stdout", "out/a.stderr" }

func TestSetWritesResultsAndSummary(t *testing.T) {
	dir := t.TempDir()
	results, err := OpenResults(filepath.Join(dir, "res.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	summary, err := CreateSummary(filepath.Join(dir, "sum.json"))
	if err != nil {
		t.Fatal(err)
	}
	set := &Set{}
	set.Add("--results", results)
	set.Add("--summary-json", summary)
	now := time.Now()
	res := &runner.Result{Job: &jobspec.Job{ID: "a"}, Status: runner.Succeeded, ExitCode: new(int), Attempts: 1,
		StartedAt: now, FinishedAt: now, Output: saved{}}
	if err := set.Record(res); err != nil {
		t.Fatal(err)
	}
	sum := runner.Summary{Counts: runner.Counts{Jobs: 1, Succeeded: 1}}
	if errs := set.Finish(Outcome{Summary: sum, Interrupted: "SIGTERM", ExitCode: 143}); errs != nil {
		t.Fatal(errs)
	}
	set.Close() // after Finish, a no-op
	b, _ := os.ReadFile(filepath.Join(dir, "res.ndjson"))
	if !bytes.HasPrefix(b, []byte(`{"id":"a",`)) || !bytes.Contains(b, []byte(`"stdout_file":"out/a.stdout","stderr_file":"out/a.stderr"`)) {
		t.Errorf("results file %s", b)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "sum.json"))
	if !bytes.Contains(b, []byte(`"jobs":1,"succeeded":1,`)) || !bytes.Contains(b, []byte(`"interrupted":"SIGTERM","exit_code":143,"deadline_passed":false,`)) {
		t.Errorf("summary file %s", b)
	}
}

// failing is a writer whose every call fails.
type failing struct{}

func (failing) Record(*runner.Result) error { return errors.New("no space") }
func (failing) Finish(Outcome) error        { return errors.New("no space") }
func (failing) Close() error                { return nil }

func TestSetNamesTheFileThatFailed(t *testing.T) {
	set := &Set{}
	set.Add("--junit", failing{})
	if err := set.Record(&runner.Result{}); err == nil {
		t.Error("a failed record passed")
	}
	errs := set.Finish(Outcome{})
	if len(errs) != 1 || errs[0].Error() != "--junit: no space" {
		t.Errorf("errors %v", errs)
	}
}

// The summary file names the heaviest jobs by memory and by CPU, with
// their usage; skipped jobs did not run and are not weighed.
func TestSummaryNamesTheHeaviestJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sum.json")
	summary, err := CreateSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, j := range []struct {
		id     string
		status runner.Status
		usage  runner.Usage
	}{
		{"fat", runner.Succeeded, runner.Usage{MaxRSS: 300 << 20, User: 10 * time.Millisecond}},
		{"busy", runner.Failed, runner.Usage{MaxRSS: 2 << 20, User: 3 * time.Second, Sys: 500 * time.Millisecond}},
		{"old", runner.Skipped, runner.Usage{MaxRSS: 900 << 20, User: time.Hour}},
	} {
		res := &runner.Result{Job: &jobspec.Job{ID: j.id}, Status: j.status, StartedAt: now, FinishedAt: now, Usage: j.usage}
		if err := summary.Record(res); err != nil {
			t.Fatal(err)
		}
	}
	if err := summary.Finish(Outcome{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := `"heaviest":{"memory":[{"id":"fat","max_rss_bytes":314572800,"user_ms":10,"sys_ms":0},{"id":"busy","max_rss_bytes":2097152,"user_ms":3000,"sys_ms":500}],` +
		`"cpu":[{"id":"busy","max_rss_bytes":2097152,"user_ms":3000,"sys_ms":500},{"id":"fat","max_rss_bytes":314572800,"user_ms":10,"sys_ms":0}]}}`
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("summary file %s\nwant it to end with %s", b, want)
	}
}
