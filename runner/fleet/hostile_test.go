package fleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1})
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
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1, MaxDeliver: 1, ResultWait: 500 * time.Millisecond})
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
