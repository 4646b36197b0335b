package fleet

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
	"github.com/drover/drover/runner/fleet/fleettest"
)

// runServer starts an embedded NATS server with JetStream on a free
// loopback port, with the options edit changes (when set), and stops it
// when the test ends.
func runServer(t *testing.T, edit func(*server.Options)) *server.Server {
	return fleettest.RunServer(t, edit)
}

// startServer starts a server with the usual options and returns its URL.
func startServer(t *testing.T) string { return runServer(t, nil).ClientURL() }

// noPrefix are the names of the default namespace.
var noPrefix, _ = NewNames("")

func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	return connectIn(t, url, "")
}

// connectIn connects with the reply subjects of the namespace prefix, and
// keeps the errors the server reports on its own for serverErrors.
func connectIn(t *testing.T, url, prefix string) *nats.Conn {
	t.Helper()
	names, err := NewNames(prefix)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := Dial(ConnOptions{URL: url, Name: t.Name(), Inbox: names.Inbox, OnChange: func(s string) {
		if strings.HasPrefix(s, "NATS: ") {
			serverErrs.Lock()
			serverErrs.of[t] = append(serverErrs.of[t], s)
			serverErrs.Unlock()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

var serverErrs = struct {
	sync.Mutex
	of map[*testing.T][]string
}{of: map[*testing.T][]string{}}

// serverErrors are the errors the server reported on the test's
// connections so far.
func serverErrors(t *testing.T) []string {
	serverErrs.Lock()
	defer serverErrs.Unlock()
	return append([]string(nil), serverErrs.of[t]...)
}

// openOn opens the namespace prefix on nc.
func openOn(t *testing.T, nc *nats.Conn, prefix string, replicas int) *Server {
	t.Helper()
	srv, err := OpenServer(context.Background(), nc, prefix, replicas)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// at is where a test's submitter or worker works: the server's URL, with
// the user's credentials, the namespace's prefix, and the replicas it
// asks of the streams.
type at struct {
	url, prefix string
	replicas    int
}

// testWorker is a Worker running in the background of a test.
type testWorker struct {
	*Worker
	nc   *nats.Conn
	done chan error
	mu   sync.Mutex
	logs []string
}

// startWorker starts a worker whose jobs see WORKER=name, in the default
// namespace. It is killed, and waited for, when the test ends.
func startWorker(t *testing.T, url, name string, cfg WorkerConfig) *testWorker {
	t.Helper()
	return startWorkerAt(t, at{url: url}, name, cfg)
}

// startWorkerAt starts a worker as startWorker does, where a says.
func startWorkerAt(t *testing.T, a at, name string, cfg WorkerConfig) *testWorker {
	t.Helper()
	tw := &testWorker{nc: connectIn(t, a.url, a.prefix), done: make(chan error, 1)}
	cfg.Name = name
	cfg.Environ = append(os.Environ(), "WORKER="+name)
	cfg.Jobs, cfg.Prefetch = max(cfg.Jobs, 1), max(cfg.Prefetch, 1)
	if cfg.MaxDeliver == 0 {
		cfg.MaxDeliver = 5
	}
	cfg.KillGrace = time.Second
	cfg.OutputLimit = 1 << 10
	cfg.FetchWait = 100 * time.Millisecond
	cfg.Log = func(s string) {
		tw.mu.Lock()
		tw.logs = append(tw.logs, s)
		tw.mu.Unlock()
	}
	w, err := NewWorker(context.Background(), openOn(t, tw.nc, a.prefix, a.replicas), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tw.Worker = w
	go func() { tw.done <- w.Run(context.Background()) }()
	t.Cleanup(func() {
		w.Kill()
		if err := <-tw.done; err != nil {
			t.Errorf("worker %s: %v", name, err)
		}
	})
	return tw
}

// wait waits for the worker's Run to return.
func (tw *testWorker) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-tw.done:
		tw.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("worker: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the worker did not return")
	}
}

// sliceSource yields jobs from a slice.
type sliceSource []*jobspec.Job

func (s *sliceSource) Next() (*jobspec.Job, error) {
	if len(*s) == 0 {
		return nil, io.EOF
	}
	job := (*s)[0]
	*s = (*s)[1:]
	return job, nil
}

// shJobs makes n jobs that run script with sh.
func shJobs(n int, script string) *sliceSource {
	var s sliceSource
	for i := 1; i <= n; i++ {
		s = append(s, &jobspec.Job{ID: fmt.Sprintf("job%d", i), Seq: i, Record: jobspec.Position{File: "test", Line: i},
			Argv: []string{script}, Shell: true})
	}
	return &s
}

// testRun is a Submitter running in the background of a test, with what it
// recorded.
type testRun struct {
	*Submitter
	events chan runner.Event
	done   chan struct{}
	sum    runner.Summary
	err    error

	mu      sync.Mutex
	records []runner.Record
	stdout  map[string]string
	stderr  map[string]string
}

// submit starts a run of src in the default namespace.
func submit(t *testing.T, url string, cfg SubmitConfig, src runner.Source) *testRun {
	t.Helper()
	return submitAt(t, at{url: url}, cfg, src)
}

// submitAt starts a run as submit does, where a says.
func submitAt(t *testing.T, a at, cfg SubmitConfig, src runner.Source) *testRun {
	t.Helper()
	tr := &testRun{events: make(chan runner.Event, 16), done: make(chan struct{}), stdout: map[string]string{}, stderr: map[string]string{}}
	cfg.InFlight = max(cfg.InFlight, 10)
	cfg.Shell = "/bin/sh"
	cfg.Sink = bufferSink{}
	cfg.Events = tr.events
	cfg.Record = func(res *runner.Result) error {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		tr.records = append(tr.records, runner.NewRecord(res))
		tr.stdout[res.Job.ID] = res.Output.(*buffers).out.String()
		tr.stderr[res.Job.ID] = res.Output.(*buffers).err.String()
		return nil
	}
	s, err := NewSubmitter(context.Background(), openOn(t, connectIn(t, a.url, a.prefix), a.prefix, a.replicas), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr.Submitter = s
	go func() {
		defer close(tr.done)
		tr.sum, tr.err = s.Run(context.Background(), src)
	}()
	t.Cleanup(func() {
		s.Kill()
		<-tr.done
	})
	return tr
}

// await receives events until one satisfies ok; the run must not end first.
func (tr *testRun) await(t *testing.T, what string, ok func(runner.Event) bool) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case ev, open := <-tr.events:
			if !open {
				t.Fatalf("the run ended before %s", what)
			}
			if ok(ev) {
				return
			}
		case <-timeout:
			t.Fatalf("no %s within a minute", what)
		}
	}
}

// finish receives the remaining events and waits for the run to end.
func (tr *testRun) finish(t *testing.T) runner.Summary {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case _, open := <-tr.events:
			if !open {
				<-tr.done
				if tr.err != nil {
					t.Fatalf("run: %v", tr.err)
				}
				return tr.sum
			}
		case <-timeout:
			t.Fatal("the run did not end within a minute")
		}
	}
}

type bufferSink struct{}

func (bufferSink) Open(*jobspec.Job) (runner.JobOutput, error) { return &buffers{}, nil }

type buffers struct{ out, err strings.Builder }

func (b *buffers) Stdout() io.Writer { return &b.out }
func (b *buffers) Stderr() io.Writer { return &b.err }
func (b *buffers) Close() error      { return nil }

// waitFor polls cond, which watches files that jobs write, until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within a minute", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lines reads a log that jobs append to.
func lines(path string) []string {
	b, _ := os.ReadFile(path)
	return strings.Fields(strings.ReplaceAll(string(b), "\n", " "))
}

func countRecords(recs []runner.Record) map[string]int {
	n := map[string]int{}
	for _, r := range recs {
		n[r.ID]++
	}
	return n
}

// streamMsgs is the number of messages in a stream.
func streamMsgs(t *testing.T, url, stream string) uint64 {
	js, _ := jetstream.New(connect(t, url))
	st, err := js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State.Msgs
}
