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
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/runner"
)

// A worker takes whatever lands on its subjects: each bad message is
// dropped from the queue without running, and the worker then still runs
// a good job.
func TestWorkerSurvivesHostileJobMessages(t *testing.T) {
	url := startServer(t)
	ran := filepath.Join(t.TempDir(), "ran")
	argv := fmt.Sprintf(`["sh","-c","echo ran >> %s"]`, ran)
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	huge := strings.Repeat("x", 900<<10)
	cases := []struct {
		name, subject, data string
		answered            bool // a failed result goes to the run
	}{
		{"bad JSON", "drover.jobs.r1", `{"run":"r1","seq":1,`, false},
		{"not an object", "drover.jobs.r1", `["r1",1]`, false},
		{"null", "drover.jobs.r1", `null`, false},
		{"trailing data", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `} {}`, false},
		{"space in the run id", "drover.jobs.x", `{"run":"a b","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"dot in the run id", "drover.jobs.a.b", `{"run":"a.b","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"star run id", "drover.jobs.x", `{"run":"*","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"chevron run id", "drover.jobs.x", `{"run":">","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"empty run id", "drover.jobs.x", `{"run":"","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"run id too long", "drover.jobs." + strings.Repeat("r", 65), `{"run":"` + strings.Repeat("r", 65) + `","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"run of another subject", "drover.jobs.r2", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"no sequence number", "drover.jobs.r1", `{"run":"r1","id":"x","argv":` + argv + `}`, false},
		{"bad job id", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"a\u0007b","argv":` + argv + `}`, false},
		{"unknown field", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"evil":1}`, false},
		{"unknown nested field", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"env":[{"Key":"A","Value":"1","X":2}]}`, false},
		{"field in another case", "drover.jobs.r1", `{"RUN":"r1","seq":1,"id":"x","argv":` + argv + `}`, false},
		{"field given twice", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":["true"],"argv":` + argv + `}`, false},
		{"wrong type", "drover.jobs.r1", `{"run":"r1","seq":"1","id":"x","argv":` + argv + `}`, false},
		{"huge record", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"pad":"` + huge + `"}`, false},
		{"deep nesting", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + deep + `}`, false},
		{"no command", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":[]}`, true},
		{"empty program", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":[""]}`, true},
		{"NUL in argv", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":["sh","-c","echo ran >> ` + ran + `\u0000"]}`, true},
		{"bad env name", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"env":[{"Key":"A=B","Value":"1"}]}`, true},
		{"env given twice", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"env":[{"Key":"A","Value":"1"},{"Key":"A","Value":"2"}]}`, true},
		{"NUL in env", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"env":[{"Key":"A","Value":"\u0000"}]}`, true},
		{"negative timeout", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"timeout_ns":-1}`, true},
		{"too many retries", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"retries":101}`, true},
		{"bad retry_on", "drover.jobs.r1", `{"run":"r1","seq":1,"id":"x","argv":` + argv + `,"retry_on":{"ExitCodes":[0]}}`, true},
	}
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1}, nil)
	js, _ := jetstream.New(connect(t, url))
	results := subscribeAll(t, url, "drover.results.r1")
	for _, c := range cases {
		before := w.warned()
		if _, err := js.Publish(context.Background(), c.subject, []byte(c.data)); err != nil {
			t.Fatalf("%s: publishing: %v", c.name, err)
		}
		waitFor(t, c.name+": the message dropped from the queue", func() bool { return queued(t, url) == 0 })
		if c.answered {
			res := results.next(t, c.name)
			if res.Status != runner.Failed || !strings.HasPrefix(res.Error, "bad job message: ") {
				t.Errorf("%s: answered %s, %q; want failed, bad job message", c.name, res.Status, res.Error)
			}
		}
		if w.warned() == before {
			t.Errorf("%s: nothing said", c.name)
		}
		goodRun(t, url, c.name)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Errorf("a bad message was run")
	}
	select {
	case res := <-results.ch:
		t.Errorf("an unexpected result: %s", res.Data)
	default:
	}
}

// goodRun proves that the workers still run jobs.
func goodRun(t *testing.T, url, after string) {
	t.Helper()
	run := submit(t, url, SubmitConfig{}, shJobs(1, "echo ok"))
	if sum := run.finish(t); sum.Succeeded != 1 || run.stdout["job1"] != "ok\n" {
		t.Fatalf("after %s: the good job: summary %+v, stdout %q", after, sum.Counts, run.stdout["job1"])
	}
}

// warned is the number of warnings the worker said or would have said.
func (tw *testWorker) warned() int {
	tw.Worker.warnings.mu.Lock()
	defer tw.Worker.warnings.mu.Unlock()
	return tw.Worker.warnings.seen
}

func (tw *testWorker) logLines() []string {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return append([]string(nil), tw.logs...)
}

// Cancels on the cancel subjects are plain NATS: whatever their body and
// whatever their subject's run id, the worker stays live.
func TestWorkerSurvivesForgedCancels(t *testing.T) {
	url := startServer(t)
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1}, nil)
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
	a := startWorker(t, url, "a", WorkerConfig{Jobs: 2}, nil)
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

// A worker that hears a cancel this run never sent stops the run's jobs:
// the run records them canceled, saying so, rather than lose them.
func TestForgedCancelCannotHideJobs(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(2, "sleep 600"))
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1}, nil)
	run.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	waitFor(t, "worker a holding both jobs", func() bool { return w.holds() == 2 })
	nc := connect(t, url)
	nc.Publish("drover.cancel."+run.RunID(), nil)
	nc.Flush()
	sum := run.finish(t)
	if sum.Canceled != 2 || len(run.records) != 2 {
		t.Fatalf("summary %+v, want both jobs canceled", sum.Counts)
	}
	for _, r := range run.records {
		if r.Error == nil || !strings.Contains(*r.Error, "this run sent no cancel") {
			t.Errorf("%s: error %v", r.ID, r.Error)
		}
	}
}

// A result the server does not take is given up after ResultWait: the
// job goes back to the queue, then is dropped once delivered more than
// --max-deliver times, and the worker goes on with other jobs meanwhile.
func TestUnsendableResultDoesNotFreezeTheWorker(t *testing.T) {
	url := runServer(t, func(o *server.Options) {
		o.Users = []*server.User{{Username: "w", Password: "w", Permissions: &server.Permissions{
			Publish: &server.SubjectPermission{Allow: []string{">"}, Deny: []string{"drover.results.denied"}},
		}}}
	}).ClientURL()
	url = strings.Replace(url, "nats://", "nats://w:w@", 1)
	ran := filepath.Join(t.TempDir(), "ran")
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1, MaxDeliver: 1, ResultWait: 500 * time.Millisecond}, nil)
	js, _ := jetstream.New(connect(t, url))
	job := fmt.Sprintf(`{"run":"denied","seq":1,"id":"x","argv":["sh","-c","echo ran >> %s"]}`, ran)
	if _, err := js.Publish(context.Background(), "drover.jobs.denied", []byte(job)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job run", func() bool { return len(lines(ran)) == 1 })
	goodRun(t, url, "a result that cannot be sent")
	waitFor(t, "the job dropped from the queue", func() bool { return queued(t, url) == 0 })
	if n := len(lines(ran)); n != 1 {
		t.Errorf("the job ran %d times, want once (then delivered again and given up)", n)
	}
	logs := strings.Join(w.logLines(), "\n")
	for _, want := range []string{"gave up, and handed the job back to the queue", "gave up, and dropped the job from the queue"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
}

// subscription collects the messages of a subject.
type subscription struct{ ch chan *natsMsg }

type natsMsg struct{ Data []byte }

func subscribeAll(t *testing.T, url, subject string) *subscription {
	t.Helper()
	s := &subscription{ch: make(chan *natsMsg, 100)}
	nc := connect(t, url)
	if _, err := nc.Subscribe(subject, func(m *nats.Msg) { s.ch <- &natsMsg{Data: m.Data} }); err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	return s
}

func (s *subscription) next(t *testing.T, what string) *resultMsg {
	t.Helper()
	select {
	case m := <-s.ch:
		res, err := decodeResult(m.Data)
		if err != nil {
			t.Fatalf("%s: a result that does not decode: %v", what, err)
		}
		return res
	case <-time.After(time.Minute):
		t.Fatalf("%s: no result", what)
		return nil
	}
}

// Whatever a job message holds, decoding it never panics, and a message
// it accepts meets every rule: a worker runs only such messages.
func FuzzDecodeJob(f *testing.F) {
	f.Add([]byte(`{"run":"r1","seq":1,"id":"x","argv":["true"],"env":[{"Key":"A","Value":"1"}],"retry_on":{"ExitCodes":[3],"Timeout":true}}`), "drover.jobs.r1")
	f.Add([]byte(`{"run":"a b","seq":1,"id":"x","argv":["true"]}`), "drover.jobs.x")
	f.Add([]byte(`{"run":"r1","seq":1,"id":"x","argv":[[[[[[[[[[["true"]]]]]]]]]]]}`), "drover.jobs.r1")
	names, _ := NewNames("")
	f.Fuzz(func(t *testing.T, data []byte, subject string) {
		m, err := decodeJob(data, subject, names)
		if m == nil || err != nil {
			return
		}
		if CheckRunID(m.Run) != nil || subject != "drover.jobs."+m.Run || m.Seq < 1 || len(m.Argv) == 0 || m.check() != nil {
			t.Fatalf("accepted %q on %q: %+v", data, subject, m)
		}
	})
}
