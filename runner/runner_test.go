package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/drover/drover/jobspec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// jobs is a Source over a fixed list.
type jobs struct {
	list []*jobspec.Job
	next atomic.Int64
	err  error // returned after the list
}

func (s *jobs) Next() (*jobspec.Job, error) {
	i := int(s.next.Add(1)) - 1
	if i < len(s.list) {
		return s.list[i], nil
	}
	if s.err != nil {
		return nil, s.err
	}
	return nil, io.EOF
}

func shellJob(id, cmd string) *jobspec.Job {
	return &jobspec.Job{ID: id, Argv: []string{cmd}, Shell: true, Record: jobspec.Position{File: "t", Line: 1}}
}

func baseConfig() Config {
	return Config{
		Jobs: 4, Queue: 8, KillGrace: 2 * time.Second,
		RetryDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond, RetryBudget: -1,
		Shell: "/bin/sh", Environ: os.Environ(),
	}
}

// run runs the jobs and returns the results by id.
func run(t *testing.T, cfg Config, list ...*jobspec.Job) (map[string]*Result, Summary, error) {
	t.Helper()
	var mu sync.Mutex
	results := map[string]*Result{}
	cfg.Record = func(res *Result) error {
		mu.Lock()
		defer mu.Unlock()
		results[res.Job.ID] = res
		return nil
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := r.Run(context.Background(), &jobs{list: list})
	return results, sum, err
}

// fakeExecutor runs attempts with a function instead of a process.
type fakeExecutor func(ctx context.Context, a Attempt) Outcome

func (f fakeExecutor) Execute(ctx context.Context, a Attempt) Outcome { return f(ctx, a) }

func code(c int) *int { return &c }

// blockingExecutor holds every attempt until its context ends or release
// closes, and tells started about each attempt.
func blockingExecutor(started chan<- string, release <-chan struct{}) fakeExecutor {
	return func(ctx context.Context, a Attempt) Outcome {
		started <- a.Job.ID
		select {
		case <-release:
			return Outcome{ExitCode: code(0)}
		case <-ctx.Done():
			return Outcome{Stopped: true, Signal: "SIGTERM"}
		}
	}
}

func manyJobs(n int) []*jobspec.Job {
	list := make([]*jobspec.Job, n)
	for i := range list {
		list[i] = &jobspec.Job{ID: strconv.Itoa(i + 1), Argv: []string{"x"}}
	}
	return list
}

func TestBackpressure(t *testing.T) {
	started := make(chan string)
	release := make(chan struct{})
	cfg := baseConfig()
	cfg.Jobs, cfg.Queue = 2, 3
	cfg.Executor = blockingExecutor(started, release)
	src := &jobs{list: manyJobs(100)}
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), src); done <- sum }()
	<-started
	<-started
	// Both workers hold a job; intake fills the queue, reads one more job
	// and blocks sending it. Give it every chance to read further.
	for range 100 {
		time.Sleep(time.Millisecond) // not synchronisation: room for a bug to show
		if n := src.next.Load(); n > int64(cfg.Jobs+cfg.Queue+1) {
			t.Fatalf("intake read %d jobs with %d workers and a queue of %d", n, cfg.Jobs, cfg.Queue)
		}
	}
	close(release)
	for range 98 {
		<-started
	}
	sum := <-done
	if sum.Succeeded != 100 {
		t.Fatalf("%+v", sum.Counts)
	}
}

func TestDrainLetsRunningJobsFinish(t *testing.T) {
	started := make(chan string)
	release := make(chan struct{})
	cfg := baseConfig()
	cfg.Jobs, cfg.Queue = 2, 4
	cfg.Executor = blockingExecutor(started, release)
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: manyJobs(10)}); done <- sum }()
	<-started
	<-started
	r.Drain()
	close(release)
	sum := <-done
	if sum.Succeeded != 2 || sum.NotStarted != sum.Jobs-2 || sum.Canceled != 0 {
		t.Fatalf("%+v", sum.Counts)
	}
}

func TestStopCancelsRunningJobs(t *testing.T) {
	started := make(chan string)
	cfg := baseConfig()
	cfg.Jobs = 3
	cfg.Executor = blockingExecutor(started, nil)
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: manyJobs(10)}); done <- sum }()
	for range 3 {
		<-started
	}
	r.Stop()
	sum := <-done
	if sum.Canceled != 3 || sum.NotStarted != sum.Jobs-3 {
		t.Fatalf("%+v", sum.Counts)
	}
}

func TestMaxFailures(t *testing.T) {
	started := make(chan string, 100)
	cfg := baseConfig()
	cfg.Jobs, cfg.MaxFailures = 2, 1
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		started <- a.Job.ID
		if a.Job.ID == "1" {
			return Outcome{ExitCode: code(1)}
		}
		<-ctx.Done()
		return Outcome{Stopped: true}
	})
	results, sum, _ := run(t, cfg, manyJobs(20)...)
	if !sum.StoppedByFailures || sum.Failed != 1 || results["1"].Status != Failed {
		t.Fatalf("%+v", sum)
	}
	for id, res := range results {
		if id != "1" && res.Status != Canceled {
			t.Errorf("job %s: %s, want canceled", id, res.Status)
		}
	}
	if sum.Finished()+sum.NotStarted != sum.Jobs || sum.Jobs > cfg.Jobs+cfg.Queue+2 {
		t.Errorf("counts do not add up: %+v", sum.Counts)
	}
}

func TestPanicBecomesTheJobsFailure(t *testing.T) {
	cfg := baseConfig()
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		if a.Job.ID == "2" {
			panic("boom")
		}
		return Outcome{ExitCode: code(0)}
	})
	results, sum, _ := run(t, cfg, manyJobs(3)...)
	if sum.Succeeded != 2 || results["2"].Status != Failed || !strings.Contains(results["2"].Err.Error(), "boom") {
		t.Fatalf("%+v %+v", sum.Counts, results["2"])
	}
}

func TestInputErrorDrains(t *testing.T) {
	cfg := baseConfig()
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome { return Outcome{ExitCode: code(0)} })
	bad := errors.New("bad record")
	r, _ := New(cfg)
	sum, err := r.Run(context.Background(), &jobs{list: manyJobs(2), err: bad})
	if !errors.Is(err, bad) || sum.Jobs != 2 {
		t.Fatalf("err %v, counts %+v", err, sum.Counts)
	}
}

func TestRecordErrorStopsTheRun(t *testing.T) {
	secondRuns := make(chan struct{})
	cfg := baseConfig()
	cfg.Jobs = 2
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		if a.Job.ID == "1" {
			<-secondRuns // job 2 is running when job 1's record fails
			return Outcome{ExitCode: code(0)}
		}
		close(secondRuns)
		<-ctx.Done()
		return Outcome{Stopped: true}
	})
	cfg.Record = func(*Result) error { return errors.New("disk full") }
	r, _ := New(cfg)
	sum, err := r.Run(context.Background(), &jobs{list: manyJobs(10)})
	if err == nil || !strings.Contains(err.Error(), "disk full") || sum.Succeeded != 1 || sum.Canceled != 1 {
		t.Fatalf("err %v, %+v", err, sum.Counts)
	}
}

func TestSkip(t *testing.T) {
	cfg := baseConfig()
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome { return Outcome{ExitCode: code(0)} })
	cfg.Skip = func(j *jobspec.Job) bool { return j.ID == "2" }
	results, sum, _ := run(t, cfg, manyJobs(3)...)
	if sum.Skipped != 1 || sum.Succeeded != 2 || results["2"].Status != Skipped {
		t.Fatalf("%+v", sum.Counts)
	}
}

type sinkFunc func() JobOutput

func (f sinkFunc) Open(*jobspec.Job) (JobOutput, error) { return f(), nil }

type bufOutput struct{ stdout, stderr io.Writer }

func (b *bufOutput) Stdout() io.Writer { return b.stdout }
func (b *bufOutput) Stderr() io.Writer {
	if b.stderr == nil {
		return io.Discard
	}
	return b.stderr
}
func (b *bufOutput) Close() error { return nil }

func TestEventsAndOutput(t *testing.T) {
	events := make(chan Event)
	cfg := baseConfig()
	cfg.Events = events
	dir := &SpoolDir{}
	defer dir.Remove()
	cfg.Sink = sinkFunc(func() JobOutput {
		return &spoolOutput{out: Spool{Dir: dir, Limit: 16}, err: Spool{Dir: dir, Limit: 16}}
	})
	r, _ := New(cfg)
	go r.Run(context.Background(), &jobs{list: []*jobspec.Job{
		shellJob("a", "echo hello; echo oops >&2; exit 1"),
		shellJob("b", "seq 1 1000"),
	}})
	kinds := map[EventKind]int{}
	outputs := map[string]string{}
	for ev := range events {
		kinds[ev.Kind]++
		if ev.Kind == JobFinished {
			var b strings.Builder
			ev.Result.Output.(*spoolOutput).out.WriteTo(&b)
			outputs[ev.Job.ID] = b.String()
			if ev.Job.ID == "a" && string(ev.Result.StderrTail) != "oops\n" {
				t.Errorf("stderr tail %q", ev.Result.StderrTail)
			}
			ev.Result.Output.Close()
		}
	}
	if kinds[JobAccepted] != 2 || kinds[AttemptStarted] != 2 || kinds[JobFinished] != 2 {
		t.Errorf("events %v", kinds)
	}
	var want strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintln(&want, i)
	}
	if outputs["a"] != "hello\n" || outputs["b"] != want.String() {
		t.Errorf("outputs %q", outputs["a"])
	}
}

type spoolOutput struct{ out, err Spool }

func (s *spoolOutput) Stdout() io.Writer { return &s.out }
func (s *spoolOutput) Stderr() io.Writer { return &s.err }
func (s *spoolOutput) Close() error      { s.out.Close(); return s.err.Close() }

func TestNoJobStartsAfterARecordFails(t *testing.T) {
	for range 50 { // the worker used to race the collector for the next job
		var started atomic.Int64
		cfg := baseConfig()
		cfg.Jobs = 1
		cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
			started.Add(1)
			return Outcome{ExitCode: code(0)}
		})
		cfg.Record = func(*Result) error { return errors.New("disk full") }
		r, _ := New(cfg)
		sum, err := r.Run(context.Background(), &jobs{list: manyJobs(5)})
		if err == nil || started.Load() != 1 || sum.Succeeded != 1 {
			t.Fatalf("started %d jobs after the first record failed; err %v, %+v", started.Load(), err, sum.Counts)
		}
	}
}

// waitingSource yields its jobs, then waits for more input that never
// comes, until it is interrupted.
type waitingSource struct {
	jobs
	interrupted chan struct{}
	once        sync.Once
}

func (s *waitingSource) Next() (*jobspec.Job, error) {
	if job, err := s.jobs.Next(); err == nil {
		return job, nil
	}
	<-s.interrupted
	return nil, errors.New("read interrupted")
}

func (s *waitingSource) Interrupt() { s.once.Do(func() { close(s.interrupted) }) }

// A drain does not wait for input that a producer never sends: intake is
// interrupted, and its error is not an input error.
func TestDrainInterruptsAWaitingSource(t *testing.T) {
	started := make(chan string, 1)
	release := make(chan struct{})
	close(release)
	cfg := baseConfig()
	cfg.Executor = blockingExecutor(started, release)
	r, _ := New(cfg)
	src := &waitingSource{jobs: jobs{list: manyJobs(1)}, interrupted: make(chan struct{})}
	done := make(chan error)
	var sum Summary
	go func() {
		var err error
		sum, err = r.Run(context.Background(), src)
		done <- err
	}()
	<-started
	r.Drain()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v, want no error", err)
		}
	case <-time.After(time.Minute):
		src.Interrupt() // let Run end, so the test can report
		<-done
		t.Fatal("Run still waited for input a minute after the drain")
	}
	if sum.Jobs != 1 || sum.Succeeded != 1 {
		t.Errorf("%+v", sum.Counts)
	}
}
