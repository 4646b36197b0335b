package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/drover/drover/jobspec"
)

// stderrTailSize is how much of a job's stderr is kept for the summary.
const stderrTailSize = 4 << 10

// runJob runs every attempt of one job in its slot and returns its final
// Result. A panic while handling the job becomes that job's failure.
func (r *Runner) runJob(job *jobspec.Job, slot int) (res *Result) {
	r.running.Add(1)
	defer r.running.Add(-1)
	res = &Result{Job: job, Slot: slot, StartedAt: time.Now(), Output: discard{}}
	defer func() {
		if p := recover(); p != nil {
			res.Status, res.ExitCode, res.Signal = Failed, nil, ""
			res.Err = fmt.Errorf("internal error while running job %s: %v", job.ID, p)
		}
		res.FinishedAt = time.Now()
	}()

	if r.cfg.Sink != nil {
		out, err := r.cfg.Sink.Open(job)
		if err != nil {
			res.Status, res.Err = Failed, fmt.Errorf("cannot capture output: %w", err)
			return res
		}
		res.Output = out
	}
	stderrTail := newTail(stderrTailSize)
	stdout, stderr := res.Output.Stdout(), io.MultiWriter(res.Output.Stderr(), stderrTail)
	defer func() { res.StderrTail = stderrTail.bytes(len(stderrTail.buf) == stderrTailSize) }()

	timeout, retries := r.cfg.Timeout, r.cfg.Retries
	if job.Timeout != nil {
		timeout = *job.Timeout
	}
	if job.Retries != nil {
		retries = *job.Retries
	}
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		r.emit(Event{Kind: AttemptStarted, Job: job, Attempt: attempt, Slot: slot})
		out, cause := r.attempt(Attempt{Job: job, Number: attempt, Slot: slot, Stdout: stdout, Stderr: stderr, KillNow: r.killNow}, timeout)
		res.Usage.Add(out.Usage)
		if low := (*LowMemory)(nil); out.Stopped && errors.As(cause, &low) {
			if r.requeue(res, low, out) {
				attempt-- // the same attempt starts again
				continue
			}
			return res
		}
		res.ExitCode, res.Signal, res.Err = out.ExitCode, out.Signal, out.Err
		switch {
		case out.Stopped && errors.Is(cause, errTimeout):
			res.Status, res.Err = TimedOut, fmt.Errorf("timed out after %s", timeout)
		case out.Stopped:
			res.Status, res.Err = Canceled, cause
		case out.Err != nil:
			res.Status = Failed
		case out.ExitCode != nil && *out.ExitCode == 0:
			res.Status = Succeeded
		default:
			res.Status = Failed
		}
		if res.Status == Succeeded || res.Status == Canceled {
			return res
		}
		if attempt > retries || !job.RetryOn.Matches(out.ExitCode, res.Status == TimedOut) || r.intake.Err() != nil {
			return res
		}
		if !r.takeRetry() {
			return res
		}
		delay := r.backoff(attempt)
		r.emit(Event{Kind: AttemptRetrying, Job: job, Attempt: attempt, Delay: delay, Failure: describeFailure(res)})
		if !r.sleep(delay) || !r.gate.wait(r.intake.Done()) {
			if r.jobs.Err() != nil {
				res.Status, res.Err = Canceled, context.Cause(r.jobs)
			}
			return res
		}
	}
}

// attempt runs one attempt under its own timeout and returns how it ended
// and, when it was stopped, why. The timeout does not tick while the run
// is paused.
func (r *Runner) attempt(a Attempt, timeout time.Duration) (Outcome, error) {
	ctx, cancel := r.jobs, context.CancelFunc(func() {})
	if timeout > 0 {
		var cancelCause context.CancelCauseFunc
		ctx, cancelCause = context.WithCancelCause(r.jobs)
		t := r.pause.afterFunc(timeout, func() { cancelCause(errTimeout) })
		cancel = func() { t.stop(); cancelCause(nil) }
	}
	defer cancel()
	ctx, untrack := r.trackAttempt(ctx)
	defer untrack()
	if r.jobs.Err() != nil {
		return Outcome{Stopped: true}, context.Cause(r.jobs)
	}
	out := r.exec.Execute(ctx, a)
	return out, context.Cause(ctx)
}

// takeRetry spends one retry of the budget, if any is left.
func (r *Runner) takeRetry() bool {
	if r.cfg.RetryBudget < 0 {
		r.spent.Add(1)
		return true
	}
	for {
		left := r.budget.Load()
		if left <= 0 {
			r.denied.Add(1)
			return false
		}
		if r.budget.CompareAndSwap(left, left-1) {
			r.spent.Add(1)
			return true
		}
	}
}

func (r *Runner) retryCounts() (spent, denied int) {
	return int(r.spent.Load()), int(r.denied.Load())
}

// backoff is exponential with full jitter: a random delay between zero and
// RetryDelay × 2^(attempt-1), capped at RetryMaxDelay.
func (r *Runner) backoff(attempt int) time.Duration {
	ceiling := r.cfg.RetryDelay
	for i := 1; i < attempt && ceiling < r.cfg.RetryMaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, r.cfg.RetryMaxDelay)
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// sleep waits d, and then while the run is paused, and reports whether the
// job may go on: false when intake stopped or the jobs were stopped
// meanwhile.
func (r *Runner) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return r.pause.wait(r.intake.Done()) && r.intake.Err() == nil
	case <-r.intake.Done():
		return false
	case <-r.jobs.Done():
		return false
	}
}

func describeFailure(res *Result) string {
	switch {
	case res.Status == TimedOut:
		return "timed out"
	case res.Err != nil:
		return res.Err.Error()
	case res.Signal != "":
		return "killed by " + res.Signal
	case res.ExitCode != nil:
		return "exit code " + strconv.Itoa(*res.ExitCode)
	}
	return "failed"
}
