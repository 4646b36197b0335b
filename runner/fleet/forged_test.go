package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/runner"
)

// Cancels on the cancel subjects are plain NATS: whatever their body and
// whatever their subject's run id, the worker stays live.
func TestWorkerSurvivesForgedCancels(t *testing.T) {
	url := startServer(t)
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1})
	goodRun(t, url, "the worker's start") // it hears cancels before it runs a job
	nc := connect(t, url)
	for _, c := range []struct{ subject, data string }{
		{"drover.cancel.r1", "{{{ not JSON"},
		{"drover.cancel." + strings.Repeat("r", 200), ""},
		{"drover.cancel.ab%cd", ""},
		{"drover.cancel.équipe", ""},
		{"drover.cancel.team-b", strings.Repeat("x", 100<<10)},
	} {
		before := len(w.logLines())
		nc.Publish(c.subject, []byte(c.data))
		nc.Flush()
		goodRun(t, url, "a cancel on "+shortened(c.subject))
		bad := c.subject != "drover.cancel.r1" && c.subject != "drover.cancel.team-b"
		if got := strings.Join(w.logLines()[before:], "\n"); strings.Contains(got, "ignored a cancel") != bad {
			t.Errorf("%s: logged %q", shortened(c.subject), got)
		}
	}
	canceled := func() int {
		w.Worker.mu.Lock()
		defer w.Worker.mu.Unlock()
		return len(w.Worker.canceled)
	}
	waitFor(t, "the two good cancels heard", func() bool { return canceled() >= 2 })
	goodRun(t, url, "every cancel")
	if n := canceled(); n != 2 {
		t.Errorf("%d canceled runs remembered, want 2 (r1 and team-b)", n)
	}
}

// A run takes as a job's result only a result of a job it submitted and
// has not recorded yet: garbage, results of other runs, results whose
// sequence number or job id match no job, and a second result of a job
// are ignored.
func TestRunIgnoresForgedResults(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	var mu sync.Mutex
	var logs []string
	cfg := SubmitConfig{Log: func(s string) {
		mu.Lock()
		logs = append(logs, s)
		mu.Unlock()
	}}
	src := shJobs(2, fmt.Sprintf(`while [ ! -e %s ]; do sleep 0.01; done; echo real`, gate))
	run := submit(t, url, cfg, src)
	a := startWorker(t, url, "a", WorkerConfig{Jobs: 2})
	started := 0
	run.await(t, "both jobs started", func(ev runner.Event) bool {
		if ev.Kind == runner.AttemptStarted {
			started++
		}
		return started == 2
	})
	js, _ := jetstream.New(connect(t, url))
	subject := "drover.results." + run.RunID()
	forged := func(seq int, id string, status runner.Status) string {
		b, _ := json.Marshal(resultMsg{Run: run.RunID(), Seq: seq, ID: id, Status: status, Attempts: 1, Stdout: []byte("forged\n"), Worker: "forger"})
		return string(b)
	}
	for _, data := range []string{
		`garbage`,
		`{"run":"` + run.RunID() + `","seq":1,"id":"job1","status":"succeeded","attempts":1,"evil":true}`,
		`{"run":"` + run.RunID() + `","seq":1,"id":"job1","status":"FAILED","attempts":1}`,
		`{"run":"` + run.RunID() + `","seq":1,"id":"job1","status":"succeeded","attempts":-1}`,
		strings.Replace(forged(1, "job1", runner.Succeeded), run.RunID(), "0123456789abcdef", 1), // another run's
		forged(1, "job2", runner.Succeeded), // the id of another job
		forged(7, "job7", runner.Succeeded), // no such job
		`{"run":"` + run.RunID() + `","seq":1,"id":"job1","status":"succeeded","attempts":1,"stdout":"` + strings.Repeat("A", 900<<10) + `","x":1}`,
	} {
		if _, err := js.Publish(context.Background(), subject, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	// A result that matches job 2 is taken: it cannot be told from the
	// real one. The real one, later, is then a duplicate.
	if _, err := js.Publish(context.Background(), subject, []byte(forged(2, "job2", runner.Succeeded))); err != nil {
		t.Fatal(err)
	}
	run.await(t, "job2's result", func(ev runner.Event) bool { return ev.Kind == runner.JobFinished })
	os.WriteFile(gate, nil, 0o644)
	sum := run.finish(t)
	if sum.Succeeded != 2 || len(run.records) != 2 {
		t.Fatalf("summary %+v, %d records; want 2 succeeded", sum.Counts, len(run.records))
	}
	if run.stdout["job1"] != "real\n" || run.stdout["job2"] != "forged\n" {
		t.Errorf("stdout %q", run.stdout)
	}
	mu.Lock()
	got := strings.Join(logs, "\n")
	mu.Unlock()
	if strings.Count(got, "ignored") < 6 {
		t.Errorf("logged %q; want each ignored result said", got)
	}
	a.Drain()
	a.wait(t)
}

// A cancel on a run's cancel subject, whoever publishes it (permissions
// decide who may), cancels the run as drover cancel does: the run hears
// it too, and ends with every job recorded or counted, none lost.
func TestCancelFromOutsideEndsTheRun(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(2, "sleep 600"))
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1})
	run.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	waitFor(t, "worker a holding both jobs", func() bool { return w.holds() == 2 })
	nc := connect(t, url)
	nc.Publish("drover.cancel."+run.RunID(), nil)
	nc.Flush()
	sum := run.finish(t)
	if sum.Canceled != 1 || sum.NotStarted != 1 || len(run.records) != 1 || run.records[0].Status != runner.Canceled {
		t.Fatalf("summary %+v, records %+v; want the running job canceled and the other not started", sum.Counts, run.records)
	}
}
