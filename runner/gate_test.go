package runner

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

// runAsync starts r.Run and returns where its summary goes, and the events
// of kind StartsHeld or JobRequeued on held (every event is received).
func runAsync(t *testing.T, cfg Config, list ...*jobspec.Job) (*Runner, <-chan Summary, <-chan Event, map[string]*Result) {
	t.Helper()
	events := make(chan Event)
	held := make(chan Event, 1000)
	cfg.Events = events
	results := map[string]*Result{}
	cfg.Record = func(res *Result) error { results[res.Job.ID] = res; return nil }
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Summary, 1)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: list}); done <- sum }()
	go func() {
		for ev := range events {
			if ev.Kind == JobFinished {
				ev.Result.Output.Close()
			}
			if ev.Kind == StartsHeld || ev.Kind == JobRequeued {
				held <- ev
			}
		}
	}()
	return r, done, held, results
}

// await receives from c, or fails the test when nothing comes for long.
func await[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("nothing came in 30s: the run hangs")
		panic("unreachable")
	}
}

// A gate that never opens: memory is always short.
func neverOpen() Throttle {
	return Throttle{MemFree: 1 << 40, Memory: &fakeMemory{}, Clock: newFakeClock()}
}

func TestStopEndsAWaitingGate(t *testing.T) {
	for name, stop := range map[string]func(*Runner){"drain": (*Runner).Drain, "stop": (*Runner).Stop, "kill": (*Runner).Kill} {
		t.Run(name, func(t *testing.T) {
			var ran atomic.Int64
			cfg := baseConfig()
			cfg.Jobs, cfg.Throttle = 2, neverOpen()
			cfg.Executor = fakeExecutor(func(context.Context, Attempt) Outcome { ran.Add(1); return Outcome{ExitCode: code(0)} })
			r, done, held, _ := runAsync(t, cfg, manyJobs(5)...)
			if ev := await(t, held); ev.Hold == nil || ev.Hold.Reason != HoldMemory {
				t.Fatalf("event %+v", ev)
			}
			stop(r)
			sum := await(t, done)
			if ran.Load() != 0 || sum.NotStarted != sum.Jobs || sum.Jobs == 0 {
				t.Fatalf("ran %d; %+v", ran.Load(), sum.Counts)
			}
			if sum.Held.Memory != 0 { // the fake clock never moved
				t.Fatalf("held %+v", sum.Held)
			}
		})
	}
}

func TestContextEndsAWaitingGate(t *testing.T) {
	cfg := baseConfig()
	cfg.Throttle = neverOpen()
	cfg.Executor = fakeExecutor(func(context.Context, Attempt) Outcome { return Outcome{ExitCode: code(0)} })
	r, _ := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Summary, 1)
	go func() { sum, _ := r.Run(ctx, &jobs{list: manyJobs(3)}); done <- sum }()
	cancel()
	if sum := await(t, done); sum.Finished() != 0 || sum.NotStarted != sum.Jobs {
		t.Fatalf("%+v", sum.Counts)
	}
}

// Job 1 fails; the others wait for the rate's next start, which never
// comes, until --max-failures ends the run.
func TestMaxFailuresEndsAWaitingGate(t *testing.T) {
	cfg := baseConfig()
	cfg.Jobs, cfg.MaxFailures = 3, 1
	cfg.Throttle = Throttle{Rate: Rate{Starts: 1, Per: time.Hour}, Clock: newFakeClock()}
	cfg.Executor = fakeExecutor(func(context.Context, Attempt) Outcome { return Outcome{ExitCode: code(1)} })
	_, done, _, results := runAsync(t, cfg, manyJobs(6)...)
	sum := await(t, done)
	if !sum.StoppedByFailures || sum.Failed != 1 || len(results) != 1 || sum.NotStarted != sum.Jobs-1 {
		t.Fatalf("%+v; %d results", sum, len(results))
	}
}

func TestRetriesWaitAtTheGate(t *testing.T) {
	clock := newFakeClock()
	cfg := baseConfig()
	cfg.Jobs, cfg.Retries = 1, 1
	cfg.Throttle = Throttle{Delay: time.Minute, Clock: clock}
	var attempts atomic.Int64
	cfg.Executor = fakeExecutor(func(_ context.Context, a Attempt) Outcome {
		attempts.Add(1)
		return Outcome{ExitCode: code(2 - a.Number)} // fails, then succeeds
	})
	_, done, held, results := runAsync(t, cfg, manyJobs(1)...)
	ev := await(t, held)
	if ev.Hold == nil || ev.Hold.Reason != HoldDelay || attempts.Load() != 1 {
		t.Fatalf("event %+v after %d attempts", ev, attempts.Load())
	}
	<-clock.waits // the retry waits for the delay
	clock.Advance(time.Minute)
	sum := await(t, done)
	if sum.Succeeded != 1 || results["1"].Attempts != 2 || sum.Held.Delay != time.Minute {
		t.Fatalf("%+v, %d attempts", sum, results["1"].Attempts)
	}
}

func TestRecordedStartsFollowTheRate(t *testing.T) {
	cfg := baseConfig()
	cfg.Jobs = 4
	cfg.Throttle = Throttle{Rate: Rate{Starts: 20, Per: time.Second}}
	cfg.Executor = fakeExecutor(func(context.Context, Attempt) Outcome { return Outcome{ExitCode: code(0)} })
	results, sum, _ := run(t, cfg, manyJobs(5)...)
	if sum.Succeeded != 5 {
		t.Fatalf("%+v", sum.Counts)
	}
	var starts []time.Time
	for _, res := range results {
		starts = append(starts, res.StartedAt)
	}
	// A lower bound on the spacing, which slowness cannot break: five
	// starts at 20/s span at least 200ms from the gate's first start to its
	// last; the first record may be taken late, hence the tolerance.
	first, last := starts[0], starts[0]
	for _, s := range starts {
		first, last = minTime(first, s), maxTime(last, s)
	}
	if span := last.Sub(first); span < 150*time.Millisecond {
		t.Fatalf("five starts within %s at 20/s", span)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func TestLowMemoryRequeuesTheYoungest(t *testing.T) {
	clock := newFakeClock()
	mem := &fakeMemory{}
	mem.avail.Store(10 << 30)
	cfg := baseConfig()
	cfg.Jobs = 3
	cfg.Throttle = Throttle{MemFree: 4 << 30, Memory: mem, Clock: clock, Poll: time.Second}
	started := make(chan Attempt, 10)
	release := make(chan struct{})
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		started <- a
		select {
		case <-release:
			return Outcome{ExitCode: code(0)}
		case <-ctx.Done():
			return Outcome{Stopped: true, Signal: "SIGTERM"}
		}
	})
	_, done, held, results := runAsync(t, cfg, manyJobs(3)...)
	for range 3 {
		await(t, started)
	}
	<-clock.waits            // the watch waits for its next look
	mem.avail.Store(1 << 30) // below half of 4GiB
	clock.Advance(time.Second)
	ev := await(t, held)
	var low *LowMemory
	if ev.Kind != JobRequeued || !errors.As(ev.Err, &low) || low.Available != 1<<30 || low.Threshold != 2<<30 {
		t.Fatalf("event %+v", ev)
	}
	requeued := ev.Job.ID
	if ev := await(t, held); ev.Kind != StartsHeld || ev.Hold == nil || ev.Hold.Reason != HoldMemory {
		t.Fatalf("the stopped job does not wait for memory: %+v", ev)
	}
	<-clock.waits // the gate waits for its next look at memory,
	<-clock.waits // and so does the watch
	mem.avail.Store(10 << 30)
	clock.Advance(time.Second)
	again := await(t, started)
	if again.Job.ID != requeued || again.Number != 1 {
		t.Fatalf("started again: job %s attempt %d, want job %s attempt 1", again.Job.ID, again.Number, requeued)
	}
	close(release)
	sum := await(t, done)
	if sum.Succeeded != 3 || sum.Requeued != 1 || sum.Failed != 0 {
		t.Fatalf("%+v", sum)
	}
	for id, res := range results {
		if want := map[bool]int{true: 1}[id == requeued]; res.Requeued != want || res.Attempts != 1 {
			t.Errorf("job %s: requeued %d, attempts %d", id, res.Requeued, res.Attempts)
		}
	}
	if rec := NewRecord(results[requeued]); rec.Requeued != 1 {
		t.Errorf("record %+v", rec)
	}
}

func TestTooManyRequeuesFail(t *testing.T) {
	mem := &fakeMemory{}
	mem.avail.Store(10 << 30)
	cfg := baseConfig()
	cfg.Jobs = 1
	clock := newFakeClock()
	cfg.Throttle = Throttle{MemFree: 4 << 30, Memory: mem, Clock: clock}
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		mem.avail.Store(1 << 30) // the job eats the memory
		<-ctx.Done()
		mem.avail.Store(10 << 30) // and gives it back when stopped
		return Outcome{Stopped: true, Signal: "SIGTERM"}
	})
	go func() { // the watch and the gate look whenever they wait
		for range clock.waits {
			clock.Advance(time.Second)
		}
	}()
	_, done, _, results := runAsync(t, cfg, manyJobs(1)...)
	sum := await(t, done)
	close(clock.waits)
	if sum.Failed != 1 || results["1"].Requeued != MaxRequeues+1 || sum.Requeued != MaxRequeues+1 {
		t.Fatalf("%+v; requeued %d", sum, results["1"].Requeued)
	}
}

func TestStopOfARequeuedJobCancelsIt(t *testing.T) {
	clock := newFakeClock()
	mem := &fakeMemory{}
	mem.avail.Store(10 << 30)
	cfg := baseConfig()
	cfg.Jobs = 1
	cfg.Throttle = Throttle{MemFree: 4 << 30, Memory: mem, Clock: clock}
	started := make(chan string, 10)
	cfg.Executor = blockingExecutor(started, nil)
	r, done, held, results := runAsync(t, cfg, manyJobs(1)...)
	await(t, started)
	<-clock.waits
	mem.avail.Store(0)
	clock.Advance(time.Second)
	await(t, held) // requeued
	await(t, held) // waiting for memory
	r.Drain()
	sum := await(t, done)
	if sum.Canceled != 1 || results["1"].Requeued != 1 {
		t.Fatalf("%+v", sum)
	}
}

func TestYoungestAttemptIsStopped(t *testing.T) {
	var l liveAttempts
	a, endA := l.track(context.Background())
	b, endB := l.track(context.Background())
	c, endC := l.track(context.Background())
	endC()
	ended, ok := l.stopYoungest(errFake)
	if !ok || a.Err() != nil || context.Cause(b) != errFake || c.Err() == nil {
		t.Fatalf("stopped the wrong one: a %v, b %v", a.Err(), context.Cause(b))
	}
	select {
	case <-ended:
		t.Fatal("ended before its attempt did")
	default:
	}
	endB()
	<-ended
	endA()
	if _, ok := l.stopYoungest(errFake); ok {
		t.Fatal("stopped an attempt when none runs")
	}
}
