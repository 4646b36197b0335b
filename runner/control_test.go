package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

// The case: -j 4, --fail-fast, one failing job and five long ones,
// no results file. The failing job ends once the three others run; its
// slot must not take the fifth job before the failure is counted.
func TestFailFastStartsNothingAfterTheFailure(t *testing.T) {
	for range 30 { // a worker used to take the next job before the collector counted
		var starts atomic.Int64
		long := make(chan struct{}, 5)
		cfg := baseConfig()
		cfg.Jobs, cfg.MaxFailures = 4, 1
		cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
			starts.Add(1)
			if a.Job.ID == "1" {
				for range 3 {
					<-long
				}
				return Outcome{ExitCode: code(1)}
			}
			long <- struct{}{}
			<-ctx.Done()
			return Outcome{Stopped: true, Signal: "SIGTERM"}
		})
		r, _ := New(cfg) // no Record: nothing waits on a results file
		sum, err := r.Run(context.Background(), &jobs{list: manyJobs(6)})
		if err != nil || starts.Load() != 4 || sum.Failed != 1 || sum.Canceled != 3 || sum.NotStarted != sum.Jobs-4 {
			t.Fatalf("started %d; err %v; %+v", starts.Load(), err, sum.Counts)
		}
	}
}

// Every job gets a slot from 1 to the limit that no job running at the
// same time holds.
func TestSlotsAreUniqueAmongRunningJobs(t *testing.T) {
	var mu sync.Mutex
	held := map[int]string{}
	var bad []string
	cfg := baseConfig()
	cfg.Jobs = 3
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		mu.Lock()
		if other, ok := held[a.Slot]; ok || a.Slot < 1 || a.Slot > 3 {
			bad = append(bad, fmt.Sprintf("%s in slot %d beside %q", a.Job.ID, a.Slot, other))
		}
		held[a.Slot] = a.Job.ID
		mu.Unlock()
		time.Sleep(time.Millisecond) // not synchronisation: lets jobs overlap
		mu.Lock()
		delete(held, a.Slot)
		mu.Unlock()
		return Outcome{ExitCode: code(0)}
	})
	_, sum, _ := run(t, cfg, manyJobs(60)...)
	if sum.Succeeded != 60 || len(bad) > 0 {
		t.Fatalf("%+v; %v", sum.Counts, bad)
	}
}

func TestSlotPool(t *testing.T) {
	s := newSlots(2)
	never := make(chan struct{})
	a, _ := s.acquire(never)
	b, _ := s.acquire(never)
	if a != 1 || b != 2 {
		t.Fatalf("slots %d %d", a, b)
	}
	done := make(chan struct{})
	close(done)
	if _, ok := s.acquire(done); ok {
		t.Fatal("acquired a third slot of two")
	}
	got := make(chan int)
	go func() { n, _ := s.acquire(never); got <- n }()
	if n := s.resize(+1); n != 3 {
		t.Fatalf("limit %d after +1", n)
	}
	if n := <-got; n != 3 {
		t.Fatalf("slot %d after a raise to 3", n)
	}
	// Lowered to 1 with three held: nothing frees until two have ended.
	if n := s.resize(-5); n != 1 {
		t.Fatalf("limit %d, want never below 1", n)
	}
	go func() { n, _ := s.acquire(never); got <- n }()
	s.release(3)
	s.release(1)
	s.release(2)
	if n := <-got; n != 1 {
		t.Fatalf("slot %d under a limit of 1", n)
	}
	if _, ok := s.acquire(done); ok {
		t.Fatal("acquired a second slot under a limit of 1")
	}
}

// A raised limit starts queued jobs at once in new slots; a lowered one
// stops no running job and holds back new ones until fewer run.
func TestResizeWhileRunning(t *testing.T) {
	type start struct {
		id   string
		slot int
	}
	started := make(chan start)
	release := map[string]chan struct{}{}
	list := manyJobs(6)
	for _, j := range list {
		release[j.ID] = make(chan struct{})
	}
	var active, over atomic.Int64
	var limit atomic.Int64
	limit.Store(1)
	cfg := baseConfig()
	cfg.Jobs = 1
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		if n := active.Add(1); n > limit.Load() {
			over.Add(1)
		}
		defer active.Add(-1)
		started <- start{a.Job.ID, a.Slot}
		<-release[a.Job.ID]
		return Outcome{ExitCode: code(0)}
	})
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: list}); done <- sum }()
	first := <-started
	limit.Store(3)
	if n := r.Resize(+2); n != 3 || r.Limit() != 3 {
		t.Fatalf("limit %d", n)
	}
	second, third := <-started, <-started
	if first.slot+second.slot+third.slot != 6 {
		t.Fatalf("slots %d %d %d", first.slot, second.slot, third.slot)
	}
	limit.Store(1)
	r.Resize(-2)
	close(release[first.id])
	close(release[second.id])
	close(release[third.id])
	for range 3 { // one at a time now
		s := <-started
		if s.slot != 1 {
			t.Errorf("job %s in slot %d under a limit of 1", s.id, s.slot)
		}
		close(release[s.id])
	}
	sum := <-done
	if sum.Succeeded != 6 || over.Load() > 0 {
		t.Fatalf("%+v; %d jobs started over the limit", sum.Counts, over.Load())
	}
}

func TestStopRules(t *testing.T) {
	for _, c := range []struct {
		rules StopRules
		c     Counts
		want  Halt
	}{
		{StopRules{}, Counts{Failed: 100}, GoOn},
		{StopRules{MaxFailures: 2}, Counts{Failed: 1, TimedOut: 1}, HaltForFailures},
		{StopRules{MaxFailures: 2}, Counts{Failed: 1, Canceled: 5}, GoOn},
		{StopRules{MaxFailurePercent: 50}, Counts{Failed: 2}, GoOn}, // fewer than 3 finished
		{StopRules{MaxFailurePercent: 50}, Counts{Failed: 2, Succeeded: 1}, HaltForFailures},
		{StopRules{MaxFailurePercent: 50}, Counts{Failed: 1, Succeeded: 2}, GoOn},
		{StopRules{MaxFailurePercent: 50}, Counts{Failed: 2, Succeeded: 2}, HaltForFailures},
		{StopRules{MaxFailurePercent: 50}, Counts{Failed: 1, Succeeded: 2, Skipped: 10}, GoOn},
		{StopRules{MaxFailurePercent: 2.5}, Counts{TimedOut: 1, Succeeded: 39}, HaltForFailures},
		{StopRules{MaxFailurePercent: 2.5}, Counts{TimedOut: 1, Succeeded: 40}, GoOn},
		{StopRules{StopOnSuccess: 2}, Counts{Succeeded: 1, Failed: 3}, GoOn},
		{StopRules{StopOnSuccess: 2}, Counts{Succeeded: 2}, HaltForSuccess},
	} {
		if got := c.rules.Check(c.c); got != c.want {
			t.Errorf("%+v on %+v: %v, want %v", c.rules, c.c, got, c.want)
		}
	}
}

// outcomes runs jobs one at a time (-j 1) with the given exit codes, in
// order, and returns the results and the summary.
func outcomes(t *testing.T, cfg Config, codes ...int) (map[string]*Result, Summary) {
	t.Helper()
	cfg.Jobs = 1
	list := manyJobs(len(codes))
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		for i, j := range list {
			if j == a.Job {
				return Outcome{ExitCode: code(codes[i])}
			}
		}
		return Outcome{}
	})
	results, sum, err := run(t, cfg, list...)
	if err != nil {
		t.Fatal(err)
	}
	return results, sum
}

func TestMaxFailurePercent(t *testing.T) {
	cfg := baseConfig()
	cfg.MaxFailurePercent = 50
	// 1 of 1, then 1 of 2, then 1 of 3: the first failure alone does not
	// stop the run; 2 of 4 does.
	results, sum := outcomes(t, cfg, 1, 0, 0, 1, 0, 0)
	if !sum.StoppedByFailures || sum.Failed != 2 || sum.Succeeded != 2 || len(results) != 4 || sum.NotStarted != sum.Jobs-4 {
		t.Fatalf("%+v, %d results", sum, len(results))
	}
}

func TestStopOnSuccessCancelsTheRest(t *testing.T) {
	started := make(chan string, 10)
	cfg := baseConfig()
	cfg.Jobs, cfg.StopOnSuccess = 3, 1
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		if a.Job.ID == "1" {
			<-started
			<-started // both others run
			return Outcome{ExitCode: code(0)}
		}
		started <- a.Job.ID
		<-ctx.Done()
		return Outcome{Stopped: true, Signal: "SIGTERM"}
	})
	results, sum, _ := run(t, cfg, manyJobs(10)...)
	if !sum.StoppedBySuccess || sum.StoppedByFailures || sum.Succeeded != 1 || sum.Canceled != 2 || sum.Failed != 0 || len(results) != 3 {
		t.Fatalf("%+v", sum)
	}
	if err := results["2"].Err; !errors.Is(err, errSuccess) {
		t.Errorf("a canceled job's error: %v", err)
	}
}

// --halt-mode soon: reaching --max-failures stops intake and lets the
// running job finish, recorded as it ends.
func TestHaltSoonLetsRunningJobsFinish(t *testing.T) {
	running := make(chan struct{})
	failed := make(chan struct{})
	cfg := baseConfig()
	cfg.Jobs, cfg.MaxFailures, cfg.HaltSoon = 2, 1, true
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		switch a.Job.ID {
		case "1":
			<-running
			return Outcome{ExitCode: code(1)}
		case "2":
			close(running)
			<-failed
			return Outcome{ExitCode: code(0)}
		}
		t.Errorf("job %s started after the failure", a.Job.ID)
		return Outcome{ExitCode: code(0)}
	})
	cfg.Record = nil
	var results []*Result
	cfg.Record = func(res *Result) error {
		results = append(results, res)
		if res.Job.ID == "1" {
			close(failed) // job 2 ends once the failure is counted
		}
		return nil
	}
	r, _ := New(cfg)
	sum, err := r.Run(context.Background(), &jobs{list: manyJobs(10)})
	if err != nil || !sum.StoppedByFailures || sum.Failed != 1 || sum.Succeeded != 1 || sum.Canceled != 0 || sum.NotStarted != sum.Jobs-2 {
		t.Fatalf("err %v; %+v", err, sum)
	}
}

func TestDeadlineStopsTheRun(t *testing.T) {
	started := make(chan struct{}, 10)
	cfg := baseConfig()
	cfg.Jobs = 2
	clk := newFakeTimers()
	cfg.Deadline = clk.Now().Add(time.Hour)
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		started <- struct{}{}
		<-ctx.Done()
		return Outcome{Stopped: true, Signal: "SIGTERM"}
	})
	events := make(chan Event)
	cfg.Events = events
	r, _ := New(cfg)
	r.useClock(clk)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: manyJobs(10)}); done <- sum }()
	var told atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range events {
			if ev.Kind == DeadlinePassed {
				told.Store(true)
			}
			if ev.Kind == JobFinished {
				if !errors.Is(ev.Result.Err, errDeadline) {
					t.Errorf("job %s: %v", ev.Job.ID, ev.Result.Err)
				}
				ev.Result.Output.Close()
			}
		}
	}()
	<-started
	<-started
	clk.Advance(59 * time.Minute)
	if r.intake.Err() != nil {
		t.Fatal("stopped before the deadline")
	}
	clk.Advance(time.Minute)
	sum := <-done
	wg.Wait()
	if !sum.DeadlinePassed || sum.Canceled != 2 || sum.NotStarted != sum.Jobs-2 || !told.Load() {
		t.Fatalf("%+v; told %v", sum, told.Load())
	}
}

func TestDeadlineAlreadyPassedStartsNothing(t *testing.T) {
	cfg := baseConfig()
	cfg.Deadline = time.Now().Add(-time.Second)
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		t.Errorf("job %s started after the deadline", a.Job.ID)
		return Outcome{ExitCode: code(0)}
	})
	_, sum, _ := run(t, cfg, manyJobs(5)...)
	if !sum.DeadlinePassed || sum.Finished() != 0 {
		t.Fatalf("%+v", sum)
	}
}

// suspendingExecutor is a fake Suspender: it counts Suspend and Continue
// calls and holds each attempt until its context ends or release closes.
type suspendingExecutor struct {
	started             chan context.Context
	release             chan struct{}
	suspends, continues atomic.Int64
}

func (e *suspendingExecutor) Execute(ctx context.Context, a Attempt) Outcome {
	e.started <- ctx
	select {
	case <-ctx.Done():
		return Outcome{Stopped: true, Signal: "SIGTERM"}
	case <-e.release:
		return Outcome{ExitCode: code(0)}
	}
}
func (e *suspendingExecutor) Suspend()  { e.suspends.Add(1) }
func (e *suspendingExecutor) Continue() { e.continues.Add(1) }

// A timeout does not tick while the run is paused: an attempt with a 10s
// timeout, paused for an hour after 5s, times out 5s after it resumes.
func TestPauseStopsTheTimeoutClock(t *testing.T) {
	exec := &suspendingExecutor{started: make(chan context.Context, 1), release: make(chan struct{})}
	cfg := baseConfig()
	cfg.Timeout = 10 * time.Second
	cfg.Executor = exec
	r, _ := New(cfg)
	clk := newFakeTimers()
	r.useClock(clk)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: manyJobs(1)}); done <- sum }()
	ctx := <-exec.started
	clk.Advance(5 * time.Second)
	r.Pause()
	r.Pause() // twice is once
	if !r.Paused() || exec.suspends.Load() != 1 {
		t.Fatalf("paused %v, %d suspends", r.Paused(), exec.suspends.Load())
	}
	clk.Advance(time.Hour)
	if ctx.Err() != nil {
		t.Fatal("timed out while paused")
	}
	r.Resume()
	clk.Advance(4*time.Second + 999*time.Millisecond)
	if ctx.Err() != nil || exec.continues.Load() != 1 {
		t.Fatalf("timed out after %s of running time; %d continues", 10*time.Second-time.Millisecond, exec.continues.Load())
	}
	clk.Advance(time.Millisecond)
	if !errors.Is(context.Cause(ctx), errTimeout) {
		t.Fatalf("cause %v after the timeout's running time", context.Cause(ctx))
	}
	if sum := <-done; sum.TimedOut != 1 {
		t.Fatalf("%+v", sum.Counts)
	}
}

// While paused, no job starts; on Resume the queued jobs start.
func TestNoJobStartsWhilePaused(t *testing.T) {
	exec := &suspendingExecutor{started: make(chan context.Context), release: make(chan struct{})}
	close(exec.release)
	var startedPaused atomic.Int64
	cfg := baseConfig()
	cfg.Jobs = 2
	r, _ := New(cfg)
	r.cfg.Executor = nil
	r.exec = wrapped{exec, func() {
		if r.Paused() {
			startedPaused.Add(1)
		}
	}}
	read := make(chan struct{})
	src := &signalingSource{jobs: jobs{list: manyJobs(4)}, ended: read}
	r.Pause()
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), src); done <- sum }()
	<-read // intake read every job; none may start
	r.Resume()
	for range 4 {
		<-exec.started
	}
	sum := <-done
	if sum.Succeeded != 4 || startedPaused.Load() != 0 {
		t.Fatalf("%+v; %d started while paused", sum.Counts, startedPaused.Load())
	}
}

// wrapped runs attempts through e after calling before.
type wrapped struct {
	e      Executor
	before func()
}

func (w wrapped) Execute(ctx context.Context, a Attempt) Outcome {
	w.before()
	return w.e.Execute(ctx, a)
}
func (w wrapped) Unwrap() Executor { return w.e }

// signalingSource closes ended when its list has been read.
type signalingSource struct {
	jobs
	ended chan struct{}
	once  sync.Once
}

func (s *signalingSource) Next() (*jobspec.Job, error) {
	j, err := s.jobs.Next()
	if err != nil {
		s.once.Do(func() { close(s.ended) })
	}
	return j, err
}

// Stop while paused stops the waiting jobs too.
func TestStopWhilePaused(t *testing.T) {
	exec := &suspendingExecutor{started: make(chan context.Context, 1), release: make(chan struct{})}
	cfg := baseConfig()
	cfg.Jobs = 1
	cfg.Executor = exec
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: manyJobs(3)}); done <- sum }()
	<-exec.started
	r.Pause()
	r.Stop()
	sum := <-done
	if sum.Canceled != 1 || sum.NotStarted != sum.Jobs-1 {
		t.Fatalf("%+v", sum.Counts)
	}
}
