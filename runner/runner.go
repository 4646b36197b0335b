// Package runner owns running jobs: the bounded intake queue, the worker
// pool, the executor with its timeouts and process-group kills, retries,
// shutdown, and the results records. It reports through events; it never
// prints, reads flags or exits.
package runner

import (
	"context"
	"errors"
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

// The causes of a stop, told apart with context.Cause.
var (
	errTimeout     = errors.New("timed out")
	errStopped     = errors.New("stopped by a signal")
	errMaxFailures = errors.New("stopped by --max-failures")
	errRecordStop  = errors.New("stopped: the results file could not be written")
)

// Runner runs one set of jobs. Drain, Stop, Kill and Running may be called
// from any goroutine at any time, before, during or after Run; Run is
// called once.
type Runner struct {
	cfg  Config
	exec Executor

	intake     context.Context // done once no job may start any more
	stopIntake context.CancelFunc
	jobs       context.Context // done once running jobs must be stopped; its cause says why
	stopJobs   context.CancelCauseFunc
	killNow    chan struct{}
	killOnce   sync.Once

	gate *gate        // holds starts as Config.Throttle says; nil holds none
	live liveAttempts // the running attempts, for --memfree's stops

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
	r := &Runner{cfg: cfg, exec: cfg.Executor, killNow: make(chan struct{})}
	if r.exec == nil {
		if err := BecomeSubreaper(); err != nil {
			return nil, fmt.Errorf("becoming a child subreaper: %w", err)
		}
		r.exec = &ProcessExecutor{Shell: cfg.Shell, KillGrace: cfg.KillGrace, Environ: cfg.Environ}
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
// run to completion.
func (r *Runner) Drain() { r.stopIntake() }

// Stop drains and stops the running jobs: SIGTERM to each job's process
// group, SIGKILL after the kill grace. They end as Canceled.
func (r *Runner) Stop() { r.stop(errStopped) }

// Kill stops the running jobs with SIGKILL at once.
func (r *Runner) Kill() {
	r.stop(errStopped)
	r.killOnce.Do(func() { close(r.killNow) })
}

func (r *Runner) stop(cause error) {
	r.stopIntake()
	r.stopJobs(cause) // only the first cause counts
}

// Running is the number of jobs running now.
func (r *Runner) Running() int { return int(r.running.Load()) }

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

	queue := make(chan *jobspec.Job, r.cfg.Queue)
	results := make(chan finished, r.cfg.Jobs)
	var producers sync.WaitGroup
	var accepted int
	var intakeErr error
	producers.Add(1 + r.cfg.Jobs)
	go func() {
		defer producers.Done()
		accepted, intakeErr = r.readInput(src, queue, results)
	}()
	for range r.cfg.Jobs {
		go func() {
			defer producers.Done()
			r.work(queue, results)
		}()
	}
	stopWatch := r.startMemoryWatch()
	go func() {
		producers.Wait()
		stopWatch()
		close(results)
	}()

	// The collector: this goroutine alone counts, records and reports
	// final results.
	var sum Summary
	var recordErr error
	for f := range results {
		res := f.res
		sum.Add(res.Status)
		sum.Requeued += res.Requeued
		if r.cfg.MaxFailures > 0 && sum.Failed+sum.TimedOut >= r.cfg.MaxFailures && !sum.StoppedByFailures {
			sum.StoppedByFailures = true
			r.stop(errMaxFailures)
		}
		if r.cfg.Record != nil && recordErr == nil {
			if err := r.cfg.Record(res); err != nil {
				recordErr = fmt.Errorf("results file: %w", err)
				r.stop(errRecordStop)
			}
		}
		if f.recorded != nil {
			f.recorded <- struct{}{}
		}
		r.finished(res, sum.Counts)
	}
	if runsProcesses(r.exec) {
		sum.Escaped = stopEscaped(r.cfg.KillGrace, r.killNow)
	}
	sum.Jobs = accepted // producers are done: reading accepted is safe
	sum.NotStarted = accepted - sum.Finished()
	sum.Retries, sum.RetriesDenied = r.retryCounts()
	sum.Duration = time.Since(start)
	sum.Held = r.gate.heldTimes()
	if intakeErr != nil {
		return sum, intakeErr
	}
	return sum, recordErr
}

// readInput is the intake: it reads jobs and queues them, blocking while the
// queue is full, so that a full queue holds back the input's producer.
func (r *Runner) readInput(src Source, queue chan<- *jobspec.Job, results chan<- finished) (int, error) {
	defer close(queue)
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
			r.Drain()
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
		select {
		case queue <- job:
		case <-r.intake.Done():
			return accepted, nil
		}
	}
	return accepted, nil
}

// finished hands a Result to the collector. recorded, when set, hears once
// the result's record has been written.
type finished struct {
	res      *Result
	recorded chan<- struct{}
}

// work runs queued jobs until the queue closes or intake stops. It takes
// the next job only once the last one's record is written, so that a
// results file that fails stops intake before the worker starts another.
func (r *Runner) work(queue <-chan *jobspec.Job, results chan<- finished) {
	var recorded chan struct{}
	if r.cfg.Record != nil { // without records there is nothing to wait for
		recorded = make(chan struct{}, 1)
	}
	for {
		select {
		case <-r.intake.Done():
			return
		case job, ok := <-queue:
			if !ok || r.intake.Err() != nil || !r.gate.wait(r.intake.Done()) {
				return // a job picked as intake stopped does not start
			}
			// The collector receives until every worker is done, and always
			// answers on recorded, so neither can block for good.
			results <- finished{res: r.runJob(job), recorded: recorded}
			if recorded != nil {
				<-recorded
			}
		}
	}
}

func (r *Runner) emit(ev Event) {
	if r.cfg.Events != nil {
		ev.Running = r.Running()
		r.cfg.Events <- ev
	}
}

func (r *Runner) finished(res *Result, c Counts) {
	if r.cfg.Events == nil {
		res.Output.Close()
		return
	}
	c.Retries, c.RetriesDenied = r.retryCounts()
	r.emit(Event{Kind: JobFinished, Job: res.Job, Result: res, Counts: c})
}
