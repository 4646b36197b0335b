package records

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
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
	if !bytes.Contains(b, []byte(`"jobs":1,"succeeded":1,`)) || !bytes.Contains(b, []byte(`"interrupted":"SIGTERM","exit_code":143}`)) {
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

func TestMergedLastRecordDecidesAndSkippedNeverReplaces(t *testing.T) {
	rec := func(id, status, start, end string) string {
		return `{"id":"` + id + `","record":"j:1","status":"` + status + `","exit_code":0,"signal":null,"attempts":2,"started_at":"` + start +
			`","finished_at":"` + end + `","duration_ms":0,"error":null}` + "\n"
	}
	var m Merged
	first := rec("a", "failed", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z") + rec("b", "succeeded", "2026-01-01T00:00:00Z", "2026-01-01T00:00:02Z")
	second := rec("a", "succeeded", "2026-01-01T00:00:05Z", "2026-01-01T00:00:09Z") + rec("b", "skipped", "2026-01-01T00:00:05Z", "2026-01-01T00:00:05Z")
	for i, f := range []string{first, second} {
		if _, err := m.Add(strings.NewReader(f), "res"); err != nil {
			t.Fatal(i, err)
		}
	}
	var ids []string
	sum := m.Summary(func(r *runner.Record) { ids = append(ids, r.ID+"="+string(r.Status)) })
	if sum.Jobs != 2 || sum.Succeeded != 2 || sum.Skipped != 0 || sum.Retries != 2 || sum.Duration != 9*time.Second {
		t.Errorf("summary %+v", sum)
	}
	if strings.Join(ids, " ") != "a=succeeded b=succeeded" {
		t.Errorf("deciding records %v", ids)
	}
}
