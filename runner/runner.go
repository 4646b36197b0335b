// Package runner owns running jobs: the bounded intake queue, the worker
// pool, the executor with its timeouts and process-group kills, retries,
// shutdown, and the results records. It reports through events; it never
// prints, reads flags or exits.
package runner

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drover/drover/jobspec"
)

// Source yields jobs one at a time; *jobspec.Decoder is one. Next returns
// io.EOF at the end. Any other error ends intake: no job starts after it.
type Source interface {
	Next() (*jobspec.Job, error)
}

// Interrupter is a Source that can give up a Next call waiting for input,
// for example by setting a read deadline on the pipe it reads. Run calls Interrupt, from a
// goroutine of its own, once intake stops, so that a producer that writes
// nothing more cannot hold the run; Next then returns an error, which Run
// ignores.
type Interrupter interface {
	Interrupt()
}

// Runner runs one set of jobs. Drain, Stop, Kill, Running, Resize, Limit,
// Pause and Resume may be called from any goroutine at any time, before,
// during or after Run; Run is called once.
type Runner struct {
	cfg   Config
	exec  Executor
	clock clock
	slots *slots
	pause *pause
	// pausing makes Pause and Resume one step each: a Resume between
	// Pause's mark and its SIGSTOP would leave the jobs stopped in a run
	// that is not paused. It is held only while signals are sent.
	pausing sync.Mutex

	intake     context.Context // done once no job may start any more
	stopIntake context.CancelFunc
	jobs       context.Context // done once running jobs must be stopped; its cause says why
	stopJobs   context.CancelCauseFunc
	killNow    chan struct{}
	killOnce   sync.Once
	reason     FirstStop // why intake stopped

	gate *gate        // holds starts as Config.Throttle says; nil holds none
	live liveAttempts // the running attempts, for --memfree's stops
	deps *Dependencies

	running atomic.Int64
	budget  atomic.Int64 // retries left, when the budget is limited
	spent   atomic.Int64 // retries taken
	denied  atomic.Int64 // retries refused for want of budget
}

// New checks cfg and makes a Runner.
func New(cfg Config) (*Runner, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	r := &Runner{cfg: cfg, exec: cfg.Executor, killNow: make(chan struct{}), clock: realClock{}, slots: newSlots(cfg.Jobs), deps: NewDependencies()}
	r.pause = newPause(r.clock)
	if r.exec == nil {
		if err := BecomeSubreaper(); err != nil {
			return nil, fmt.Errorf("becoming a child subreaper: %w", err)
		}
		r.exec = &ProcessExecutor{Shell: cfg.Shell, KillGrace: cfg.KillGrace, Environ: cfg.Environ, Watchdog: cfg.Watchdog}
	}
	r.intake, r.stopIntake = context.WithCancel(context.Background())
	r.jobs, r.stopJobs = context.WithCancelCause(context.Background())
	r.budget.Store(int64(cfg.RetryBudget))
	var err error
	if r.gate, err = newGate(cfg.Throttle, r.emit); err != nil {
		return nil, err
	}
	return r, nil
}

// Drain stops intake: no job starts after it, and no retry; running jobs
// run to completion. Drain, Stop and Kill are stops from outside the run
// (a signal, a reader gone): their cause is StopSignal.
func (r *Runner) Drain() { r.drainFor(StopSignal, nil) }

// Stop drains and stops the running jobs: SIGTERM to each job's process
// group, SIGKILL after the kill grace. They end as Canceled.
func (r *Runner) Stop() { r.stopFor(StopSignal) }

// Kill stops the running jobs with SIGKILL at once.
func (r *Runner) Kill() {
	r.stopFor(StopSignal)
	r.killOnce.Do(func() { close(r.killNow) })
}

// Running is the number of jobs running now.
func (r *Runner) Running() int { return int(r.running.Load()) }

// Resize changes the number of jobs that may run at once by delta, never
// below 1, and returns the new limit. Lowering it stops no running job:
// the next job starts once fewer than the new limit run.
func (r *Runner) Resize(delta int) int { return r.slots.resize(delta) }

// Limit is the number of jobs that may run at once now.
func (r *Runner) Limit() int { return r.slots.current() }

// Pause stops the run from starting jobs and attempts, stops the clock of
// every attempt's timeout, and suspends the running attempts when the
// Executor can (a ProcessExecutor sends SIGSTOP to their process groups).
func (r *Runner) Pause() {
	r.pausing.Lock()
	defer r.pausing.Unlock()
	if r.pause.set(true) {
		if s := suspenderOf(r.exec); s != nil {
			s.Suspend()
		}
	}
}

// Resume undoes Pause: the attempts continue (SIGCONT), their timeouts
// tick again, and jobs start again.
func (r *Runner) Resume() {
	r.pausing.Lock()
	defer r.pausing.Unlock()
	if !r.pause.isPaused() {
		return
	}
	if s := suspenderOf(r.exec); s != nil {
		s.Continue()
	}
	r.pause.set(false)
}

// Paused reports whether the run is paused.
func (r *Runner) Paused() bool { return r.pause.isPaused() }

// Run reads jobs from src and runs them until src ends or the run is
// drained or stopped, then waits for every job it started. ctx ending stops
// the run like Stop. Run returns the summary and the first error that ended
// the run early: src's error (an input fault) or the Record error.
func (r *Runner) Run(ctx context.Context, src Source) (Summary, error) {
	start := time.Now()
	defer context.AfterFunc(ctx, r.Stop)()
	if r.cfg.Events != nil {
		defer close(r.cfg.Events)
	}
	if i, ok := src.(Interrupter); ok {
		defer context.AfterFunc(r.intake, i.Interrupt)()
	}

	deadline := r.armDeadline()

	queue := newJobQueue(r.cfg.Queue, r.cfg.Priority)
	results := make(chan finished, r.cfg.Jobs)
	var producers sync.WaitGroup
	var accepted int
	var intakeErr error
	producers.Add(2)
	go func() {
		defer producers.Done()
		accepted, intakeErr = r.readInput(src, queue, results)
	}()
	go func() {
		defer producers.Done()
		r.dispatch(queue, results)
	}()
	stopWatch := r.startMemoryWatch()
	go func() {
		producers.Wait()
		stopWatch()
		close(results)
	}()

	ended := make(chan struct{})
	toldStop := r.reason.Tell(r.intake, ended, r.emit)
	tally := r.collect(results)
	close(ended)
	toldStop()
	sum := tally.Summary()
	sum.Stop, _ = r.reason.Get()
	sum.DeadlinePassed = deadline.disarm()
	if runsProcesses(r.exec) {
		sum.Escaped = stopEscaped(r.cfg.KillGrace, r.killNow)
	}
	sum.Jobs, sum.NotStarted = tally.Jobs(accepted, 0) // producers are done: reading accepted is safe
	sum.Retries, sum.RetriesDenied = r.retryCounts()
	sum.Duration = time.Since(start)
	sum.Held = r.gate.heldTimes()
	if intakeErr != nil {
		return sum, intakeErr
	}
	return sum, tally.Err()
}

// collect is the collector: this goroutine alone hands the final results
// to the run's Tally, which counts, judges, records and reports them. A
// job's slot is freed only once its result is counted and judged, so that
// no job starts after a result that stops the run.
func (r *Runner) collect(results <-chan finished) *Tally {
	var slot int          // the slot of the job whose result Add takes
	var blocked []*Result // results its needs decided, for Add to take next
	tally := NewTally(TallyConfig{
		Rules:  r.cfg.stopRules(),
		Record: r.cfg.Record,
		Stop:   r.halt,
		Final: func(res *Result) {
			if slot > 0 {
				r.slots.release(slot)
			}
			blocked = append(blocked, r.deps.Settle(res, r.intake.Err() != nil)...)
		},
		Retries: r.retryCounts,
		Total:   r.cfg.Total,
	})
	if r.cfg.Events != nil {
		tally.cfg.Emit = r.emit
	}
	for f := range results {
		slot = f.slot
		tally.Add(f.res)
		// A result may decide that jobs waiting for it do not run: they
		// are counted after it, and so are those they decide in turn.
		for len(blocked) > 0 {
			res := blocked[0]
			blocked, slot = blocked[1:], 0
			tally.Add(res)
		}
	}
	return tally
}

// readInput is the intake: it reads jobs and queues them, blocking while the
// queue is full, so that a full queue holds back the input's producer.
func (r *Runner) readInput(src Source, queue *jobQueue, results chan<- finished) (int, error) {
	defer queue.close()
	accepted := 0
	for r.intake.Err() == nil {
		job, err := src.Next()
		if err == io.EOF {
			return accepted, nil
		}
		if err != nil && r.intake.Err() != nil {
			return accepted, nil // intake stopped while reading: the read was interrupted
		}
		if err != nil {
			r.drainFor(StopInputError, err)
			r.emit(Event{Kind: IntakeFailed, Err: err})
			return accepted, err
		}
		if r.intake.Err() != nil {
			return accepted, nil // drained while reading: the job is not accepted
		}
		accepted++
		r.emit(Event{Kind: JobAccepted, Job: job})
		if r.cfg.Skip != nil && r.cfg.Skip(job) {
			now := time.Now()
			results <- finished{res: &Result{Job: job, Status: Skipped, StartedAt: now, FinishedAt: now, Output: discard{}}}
			continue
		}
		if len(job.Needs) > 0 {
			ready, res := r.deps.Admit(job)
			if res != nil {
				results <- finished{res: res}
				continue
			}
			if !ready {
				if !r.deps.WaitRoom(r.intake.Done()) {
					return accepted, nil
				}
				continue
			}
		}
		if !queue.put(job, r.intake.Done()) {
			return accepted, nil
		}
	}
	return accepted, nil
}

// finished hands a Result to the collector, with the slot the job held
// (0 for a job that never ran), which the collector frees.
type finished struct {
	res  *Result
	slot int
}

// dispatch starts queued jobs, each in a goroutine of its own holding a
// slot, until the queue closes or intake stops, then waits for them. A job
// starts once the start gate lets it, and only while the run is not
// paused.
func (r *Runner) dispatch(queue *jobQueue, results chan<- finished) {
	var jobs sync.WaitGroup
	defer jobs.Wait()
	for {
		slot, ok := r.slots.acquire(r.intake.Done())
		if !ok {
			return
		}
		job := r.deps.Take(queue, r.intake.Done()) // nil once no job is left
		// The start gate and a pause may hold the job; intake may stop
		// meanwhile, and then it does not start.
		if job == nil || !r.gate.wait(r.intake.Done()) || !r.pause.wait(r.intake.Done()) || r.intake.Err() != nil {
			r.slots.release(slot) // a job picked as intake stopped does not start
			return
		}
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			// The collector receives until every job is done, so this
			// send cannot block for good.
			results <- finished{res: r.runJob(job, slot), slot: slot}
		}()
	}
}

func (r *Runner) emit(ev Event) {
	if r.cfg.Events != nil {
		ev.Running = r.Running()
		ev.Waiting = r.deps.Waiting()
		r.cfg.Events <- ev
	}
}
