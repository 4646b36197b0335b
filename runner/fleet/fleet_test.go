package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// startServer starts an embedded NATS server with JetStream on loopback,
// stopped when the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	return s.ClientURL()
}

func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := Connect(url, t.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// testWorker is a Worker running in the background of a test.
type testWorker struct {
	*Worker
	nc   *nats.Conn
	done chan error
	mu   sync.Mutex
	logs []string
}

// startWorker starts a worker whose jobs see WORKER=name. It is killed,
// and waited for, when the test ends.
func startWorker(t *testing.T, url, name string, cfg WorkerConfig, hook func()) *testWorker {
	t.Helper()
	tw := &testWorker{nc: connect(t, url), done: make(chan error, 1)}
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
	w, err := NewWorker(context.Background(), tw.nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.beforeAck = hook
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

func submit(t *testing.T, url string, cfg SubmitConfig, src runner.Source) *testRun {
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
	s, err := NewSubmitter(context.Background(), connect(t, url), cfg)
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

func TestTwoWorkersShareARun(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	// Each worker holds at most three jobs (one running, one queued, one
	// in hand), so the six jobs need both; none ends before the gate opens.
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID:$WORKER" >> %s; while [ ! -e %s ]; do sleep 0.01; done; echo "out $DROVER_JOB_ID"`, log, gate)
	run := submit(t, url, SubmitConfig{}, shJobs(6, script))
	a := startWorker(t, url, "a", WorkerConfig{}, nil)
	b := startWorker(t, url, "b", WorkerConfig{}, nil)
	waitFor(t, "job started on each worker", func() bool {
		l := strings.Join(lines(log), " ")
		return strings.Contains(l, ":a") && strings.Contains(l, ":b")
	})
	os.WriteFile(gate, nil, 0o644)
	sum := run.finish(t)

	if sum.Jobs != 6 || sum.Succeeded != 6 || sum.NotStarted != 0 {
		t.Errorf("summary %+v, want 6 jobs, 6 succeeded", sum.Counts)
	}
	ran := map[string]int{}
	for _, l := range lines(log) {
		id, _, _ := strings.Cut(l, ":")
		ran[id]++
	}
	for i := 1; i <= 6; i++ {
		id := fmt.Sprintf("job%d", i)
		if ran[id] != 1 {
			t.Errorf("%s ran %d times, want once (log %v)", id, ran[id], lines(log))
		}
		if got := run.stdout[id]; got != "out "+id+"\n" {
			t.Errorf("%s: stdout %q came back", id, got)
		}
	}
	if n := countRecords(run.records); len(n) != 6 {
		t.Errorf("records %v", n)
	}
	a.Drain()
	b.Drain()
	a.wait(t)
	b.wait(t)
}

func TestKilledWorkersJobsFinishOnAnother(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	// On worker a the job hangs; on worker b it succeeds.
	script := fmt.Sprintf(`echo "$WORKER" >> %s; [ "$WORKER" = b ] || sleep 600`, log)
	run := submit(t, url, SubmitConfig{}, shJobs(1, script))
	a := startWorker(t, url, "a", WorkerConfig{AckWait: time.Second}, nil)
	waitFor(t, "job started on a", func() bool { return slices.Contains(lines(log), "a") })

	// Worker a dies: its connection goes, and its process is killed.
	a.nc.Close()
	a.Kill()
	a.wait(t)
	startWorker(t, url, "b", WorkerConfig{}, nil)
	sum := run.finish(t)

	if sum.Succeeded != 1 || sum.Jobs != 1 {
		t.Errorf("summary %+v, want the job succeeded", sum.Counts)
	}
	if got := lines(log); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("the job ran on %v, want a then b", got)
	}
	if len(run.records) != 1 || run.records[0].Status != runner.Succeeded {
		t.Errorf("records %+v", run.records)
	}
}

func TestDrainingWorkerHandsBackUnstartedJobs(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID:$WORKER" >> %s; [ "$WORKER" = b ] || while [ ! -e %s ]; do sleep 0.01; done`, log, gate)
	run := submit(t, url, SubmitConfig{}, shJobs(3, script))
	// The ack deadline is an hour: the jobs handed back must go to b at
	// once, not when the deadline passes.
	a := startWorker(t, url, "a", WorkerConfig{AckWait: time.Hour}, nil)
	run.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	waitFor(t, "worker a holding three jobs", func() bool { return a.holds() == 3 })
	a.Drain()
	startWorker(t, url, "b", WorkerConfig{}, nil)
	waitFor(t, "the two other jobs run on b", func() bool { return len(lines(log)) == 3 })
	os.WriteFile(gate, nil, 0o644)
	a.wait(t) // a returns once its running job is done
	sum := run.finish(t)

	if sum.Succeeded != 3 {
		t.Errorf("summary %+v, want 3 succeeded", sum.Counts)
	}
	onA, onB := 0, 0
	for _, l := range lines(log) {
		switch {
		case strings.HasSuffix(l, ":a"):
			onA++
		case strings.HasSuffix(l, ":b"):
			onB++
		}
	}
	if onA != 1 || onB != 2 {
		t.Errorf("ran %d on a and %d on b, want 1 and 2: %v", onA, onB, lines(log))
	}
}

// holds is the number of jobs the worker holds.
func (tw *testWorker) holds() int {
	tw.Worker.mu.Lock()
	defer tw.Worker.mu.Unlock()
	return len(tw.Worker.held)
}

func TestJobThatRanTwiceIsRecordedOnce(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID:$WORKER" >> %s; if [ "$DROVER_JOB_ID" = job2 ]; then while [ ! -e %s ]; do sleep 0.01; done; fi`, log, gate)
	var src sliceSource = *shJobs(2, script)
	run := submit(t, url, SubmitConfig{}, &src)

	// Worker a sends job1's result, then hangs before acknowledging it, as
	// a worker that loses its machine at that moment: the job goes to b.
	hang := make(chan struct{})
	defer close(hang)
	hook := func() { <-hang }
	a := startWorker(t, url, "a", WorkerConfig{AckWait: time.Second, Jobs: 1, Prefetch: 1}, hook)
	waitFor(t, "job1 on a", func() bool { return slices.Contains(lines(log), "job1:a") })
	a.Drain()                                            // a takes no more jobs; job2 waits for b
	startWorker(t, url, "b", WorkerConfig{Jobs: 2}, nil) // job2 waits for the gate: room for job1 beside it
	waitFor(t, "job1 run again on b", func() bool { return slices.Contains(lines(log), "job1:b") })

	// Both results of job1 are in the stream before job2's.
	nc := connect(t, url)
	js, _ := jetstream.New(nc)
	waitFor(t, "two results of job1", func() bool {
		st, err := js.Stream(context.Background(), ResultsStream)
		return err == nil && st.CachedInfo().State.Msgs == 2
	})
	os.WriteFile(gate, nil, 0o644)
	sum := run.finish(t)

	if sum.Jobs != 2 || sum.Succeeded != 2 {
		t.Errorf("summary %+v, want 2 jobs succeeded", sum.Counts)
	}
	if n := countRecords(run.records); n["job1"] != 1 || n["job2"] != 1 || len(run.records) != 2 {
		t.Errorf("records per id %v, want each once", n)
	}
}

func TestInterruptedRunWithNoWorkerEnds(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(5, "true"))
	accepted := 0
	run.await(t, "five jobs submitted", func(ev runner.Event) bool {
		if ev.Kind == runner.JobAccepted {
			accepted++
		}
		return accepted == 5
	})
	waitFor(t, "five jobs on the queue", func() bool { return queued(t, url) == 5 })
	run.Drain() // the first Ctrl-C: nothing more is submitted
	run.Stop()  // the second: the queued jobs are withdrawn
	sum := run.finish(t)

	if sum.Jobs != 5 || sum.NotStarted != 5 || sum.Finished() != 0 {
		t.Errorf("summary %+v, want 5 jobs not started", sum.Counts)
	}
	if n := queued(t, url); n != 0 {
		t.Errorf("%d jobs left on the queue", n)
	}
	if len(run.records) != 0 {
		t.Errorf("records %+v for jobs that never ran", run.records)
	}
}

// queued is the number of messages on the job queue.
func queued(t *testing.T, url string) uint64 {
	js, _ := jetstream.New(connect(t, url))
	st, err := js.Stream(context.Background(), JobsStream)
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State.Msgs
}

func TestStopCancelsRunningJobsOnWorkers(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(3, "sleep 600"))
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1}, nil)
	run.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	run.Stop()
	sum := run.finish(t)

	if sum.Canceled != 1 || sum.NotStarted != 2 || sum.Jobs != 3 {
		t.Errorf("summary %+v, want 1 canceled, 2 not started", sum.Counts)
	}
	if len(run.records) != 1 || run.records[0].Status != runner.Canceled || run.records[0].Error == nil {
		t.Errorf("records %+v, want one canceled with its reason", run.records)
	}
	if w.Running() != 0 {
		t.Errorf("%d jobs still running on the worker", w.Running())
	}
}

func TestPoisonJobFailsAfterMaxDeliver(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(1, "true"))
	waitFor(t, "the job on the queue", func() bool { return queued(t, url) == 1 })

	// Two workers take the job and are lost with it (here: hand it back).
	nc := connect(t, url)
	js, _ := jetstream.New(nc)
	cons, err := workerConsumer(context.Background(), js, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for msg := range batch.Messages() {
			msg.Nak()
		}
	}
	startWorker(t, url, "a", WorkerConfig{MaxDeliver: 2}, nil)
	sum := run.finish(t)

	if sum.Failed != 1 {
		t.Fatalf("summary %+v, want the job failed", sum.Counts)
	}
	if e := run.records[0].Error; e == nil || !strings.Contains(*e, "given up after 2 deliveries") {
		t.Errorf("error %v", e)
	}
}

func TestUnreachableServer(t *testing.T) {
	_, err := Connect("nats://127.0.0.1:1", "test", nil)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the NATS server at nats://127.0.0.1:1") {
		t.Errorf("err = %v", err)
	}
	if errors.Unwrap(err) == nil {
		t.Error("the cause is not wrapped")
	}
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

func TestFinishedRunLeavesNothingOnTheServer(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(5, "echo hi"))
	startWorker(t, url, "a", WorkerConfig{Jobs: 2}, nil)
	if sum := run.finish(t); sum.Succeeded != 5 {
		t.Fatalf("summary %+v", sum.Counts)
	}
	if n, r := streamMsgs(t, url, JobsStream), streamMsgs(t, url, ResultsStream); n != 0 || r != 0 {
		t.Errorf("%d jobs and %d results left on the server", n, r)
	}
}

func TestMaxFailuresCancelsTheRun(t *testing.T) {
	url := startServer(t)
	var src sliceSource = *shJobs(4, `if [ "$DROVER_JOB_ID" = job1 ]; then exit 7; fi; sleep 600`)
	run := submit(t, url, SubmitConfig{MaxFailures: 1}, &src)
	startWorker(t, url, "a", WorkerConfig{Jobs: 4}, nil)
	sum := run.finish(t)
	if !sum.StoppedByFailures || sum.Failed != 1 || sum.Canceled+sum.NotStarted != 3 {
		t.Errorf("summary %+v (stopped by failures: %v), want 1 failed and the rest canceled or not started", sum.Counts, sum.StoppedByFailures)
	}
}

// A lost connection is retried: a server that restarts mid-run (same port,
// same storage) loses none of the run's jobs or results.
func TestRunSurvivesAServerRestart(t *testing.T) {
	store := t.TempDir()
	opts := func(port int) *server.Options {
		return &server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: store, NoLog: true, NoSigs: true}
	}
	s1, err := server.NewServer(opts(-1))
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	if !s1.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	url := s1.ClientURL()
	port := s1.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()

	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s; while [ ! -e %s ]; do sleep 0.01; done`, log, gate)
	run := submit(t, url, SubmitConfig{}, shJobs(4, script))
	startWorker(t, url, "a", WorkerConfig{Jobs: 4}, nil)
	waitFor(t, "four jobs running", func() bool { return len(lines(log)) == 4 })

	s1.Shutdown()
	s1.WaitForShutdown()
	os.WriteFile(gate, nil, 0o644) // the jobs end while the server is down
	s2, err := server.NewServer(opts(int(port)))
	if err != nil {
		t.Fatal(err)
	}
	s2.Start()
	t.Cleanup(func() {
		s2.Shutdown()
		s2.WaitForShutdown()
	})
	if !s2.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not restart")
	}
	sum := run.finish(t)
	if sum.Succeeded != 4 || len(run.records) != 4 {
		t.Errorf("summary %+v, %d records; want 4 succeeded", sum.Counts, len(run.records))
	}
	if got := len(lines(log)); got != 4 {
		t.Errorf("the jobs ran %d times, want 4", got)
	}
}

func TestServerWithoutJetStream(t *testing.T) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer func() {
		s.Shutdown()
		s.WaitForShutdown()
	}()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	nc := connect(t, s.ClientURL())
	_, err = NewSubmitter(context.Background(), nc, SubmitConfig{InFlight: 1})
	if err == nil || !strings.Contains(err.Error(), "JetStream is not enabled on this server (start nats-server with -js)") {
		t.Errorf("submitter: %v", err)
	}
	_, err = NewWorker(context.Background(), nc, WorkerConfig{Jobs: 1, Prefetch: 1, MaxDeliver: 1})
	if err == nil || !strings.Contains(err.Error(), "start nats-server with -js") {
		t.Errorf("worker: %v", err)
	}
}

// A job message over the server's max_payload fails that job; a result
// over it is sent without the job's output, and the run says so.
func TestMessagesOverMaxPayload(t *testing.T) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		MaxPayload: 1200, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	url := s.ClientURL()
	big := strings.Repeat("i", 2000)
	src := sliceSource{
		{ID: "big-stdin", Seq: 1, Argv: []string{"cat"}, Stdin: &big},
		{ID: "big-output", Seq: 2, Argv: []string{"head -c 1000 /dev/zero | tr '\\0' o"}, Shell: true},
	}
	run := submit(t, url, SubmitConfig{}, &src)
	startWorker(t, url, "a", WorkerConfig{}, nil)
	sum := run.finish(t)

	if sum.Failed != 1 || sum.Succeeded != 1 {
		t.Fatalf("summary %+v, want 1 failed and 1 succeeded", sum.Counts)
	}
	for _, r := range run.records {
		switch r.ID {
		case "big-stdin":
			if r.Status != runner.Failed || r.Error == nil || !strings.Contains(*r.Error, "cannot submit: nats: maximum payload exceeded") {
				t.Errorf("big-stdin: %s, %v", r.Status, r.Error)
			}
		case "big-output":
			if r.Status != runner.Succeeded {
				t.Errorf("big-output: %s", r.Status)
			}
		}
	}
	if got := run.stdout["big-output"]; got != "" {
		t.Errorf("big-output: %d bytes of stdout came back, want none", len(got))
	}
	if got, want := run.stderr["big-output"], "[drover: 1000 more bytes of stdout were not sent back by worker a]\n"; got != want {
		t.Errorf("big-output: stderr %q, want %q", got, want)
	}
}
