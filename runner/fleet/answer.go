package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// finish is the runner's Record: it sends a finished job's result and
// acknowledges its message, or hands the job back. It never fails the
// run: a result that cannot be sent leaves the job to be delivered again.
func (w *Worker) finish(res *runner.Result) error {
	h := w.release(res.Job)
	if h == nil {
		return nil
	}
	w.mu.Lock()
	state, stopping := h.state, w.stopping || (w.draining && res.Requeued > 0)
	canceled := !w.canceled[h.m.Run].IsZero()
	w.mu.Unlock()
	switch {
	case state == handedBack:
		return nil
	case state == waiting || (stopping && res.Status == runner.Canceled && !canceled):
		h.msg.Nak() // this worker is stopping: another one runs the job
		w.log("run %s job %s: stopped; handed back to the queue", h.m.Run, h.m.ID)
		return nil
	case state == refused:
		w.answer(h.msg, w.resultOf(h.m, notStarted, "its run was canceled"), true)
		return nil
	case state == overdue:
		h.msg.Term() // its run has its results: no one reads this job's any more
		w.log("run %s job %s: not started: its run was over while this worker held the job", h.m.Run, h.m.ID)
		return nil
	}
	msg := w.resultOf(h.m, res.Status, "")
	msg.ExitCode, msg.Signal, msg.Attempts, msg.Requeued = res.ExitCode, res.Signal, res.Attempts, res.Requeued
	msg.StartedAt, msg.FinishedAt, msg.Slot = res.StartedAt, res.FinishedAt, res.Slot
	msg.MaxRSS, msg.User, msg.Sys = res.Usage.MaxRSS, res.Usage.User, res.Usage.Sys
	if res.Err != nil {
		msg.Error = res.Err.Error()
	} else if res.Status == runner.Canceled {
		msg.Error = "canceled: the worker heard a cancel of its run"
	}
	if c, ok := res.Output.(*capture); ok {
		msg.Stdout, msg.StdoutDropped = c.stdout.buf, c.stdout.dropped
		msg.Stderr, msg.StderrDropped = c.stderr.buf, c.stderr.dropped
	}
	msg.StderrTail = res.StderrTail
	if w.answer(h.msg, msg, false) {
		w.log("run %s job %s: %s after %s in %s", h.m.Run, h.m.ID, res.Status,
			runner.Plural(res.Attempts, "attempt"), res.FinishedAt.Sub(res.StartedAt).Round(time.Millisecond))
	}
	return nil
}

func (w *Worker) resultOf(m *jobMsg, status runner.Status, errText string) *resultMsg {
	now := time.Now()
	return &resultMsg{Run: m.Run, Seq: m.Seq, ID: m.ID, Record: m.Record, Status: status, Error: errText,
		StartedAt: now, FinishedAt: now, Worker: w.cfg.Name, Cmd: m.Cmd}
}

// answer publishes a job's result, trying again while the server does not
// take it, for at most ResultWait, and then settles the job's message:
// acknowledged once the result is stored, or, when final (the worker
// would never run it), terminated. A result that cannot be sent
// (the worker is killed, the time is up, or the server refuses it) is
// given up: the job goes back to the queue, to be delivered again, or,
// when final, is terminated. It reports
// whether the result went out.
func (w *Worker) answer(msg jetstream.Msg, res *resultMsg, final bool) bool {
	data, err := json.Marshal(res)
	if err != nil {
		return false
	}
	deadline := time.Now().Add(w.cfg.ResultWait)
	for failing := false; ; failing = true {
		ctx, cancel := context.WithTimeout(context.Background(), min(5*time.Second, w.cfg.ResultWait))
		_, err = w.srv.js.Publish(ctx, w.srv.names.results(res.Run), data)
		cancel()
		if errors.Is(err, nats.ErrMaxPayload) && (res.Stdout != nil || res.Stderr != nil) {
			res.StdoutDropped += int64(len(res.Stdout))
			res.StderrDropped += int64(len(res.Stderr))
			res.Stdout, res.Stderr = nil, nil
			data, _ = json.Marshal(res)
			continue
		}
		if err == nil {
			break
		}
		if permanent(err) || time.Now().After(deadline) {
			w.giveUp(msg, res, err, final)
			return false
		}
		if !failing {
			w.log("run %s job %s: cannot send the result (%v); trying again for up to %s", res.Run, res.ID, err, w.cfg.ResultWait)
		}
		msg.InProgress() // the job is still this worker's while it tries
		select {
		case <-w.killed:
			return false
		case <-time.After(time.Second):
		}
	}
	if final {
		msg.Term() // never to be run: the server says so to who watches its advisories
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := msg.DoubleAck(ctx); err != nil {
		// The result is out; the job may run again elsewhere, and its
		// submitter records it once.
		w.log("run %s job %s: acknowledging it failed (%v); it may be delivered again", res.Run, res.ID, err)
	}
	return true
}

// retryNak is how long a job whose result could not be sent waits before
// it is delivered again (at most ResultWait).
const retryNak = 5 * time.Second

// giveUp settles the message of a job whose result could not be sent.
func (w *Worker) giveUp(msg jetstream.Msg, res *resultMsg, err error, final bool) {
	if final {
		msg.Term()
		w.log("run %s job %s: cannot send the result (%v); gave up, and dropped the job from the queue", res.Run, res.ID, err)
		return
	}
	msg.NakWithDelay(min(retryNak, w.cfg.ResultWait))
	w.log("run %s job %s: cannot send the result (%v); gave up, and handed the job back to the queue", res.Run, res.ID, err)
}

// permanent reports whether a publish failed for a reason that trying again
// cannot change: a bad subject, a message too big, an error the stream
// itself sent.
func permanent(err error) bool {
	var api *jetstream.APIError
	return errors.Is(err, nats.ErrBadSubject) || errors.Is(err, nats.ErrMaxPayload) || errors.As(err, &api)
}

// claimingExecutor runs attempts with a process executor once the worker
// lets them start: a job handed back, or of a canceled run, does not start,
// and a canceled run's running jobs are stopped.
type claimingExecutor struct {
	w     *Worker
	inner *runner.ProcessExecutor
}

func (e claimingExecutor) Unwrap() runner.Executor { return e.inner }

func (e claimingExecutor) Execute(ctx context.Context, a runner.Attempt) runner.Outcome {
	w := e.w
	over := a.Number == 1 && w.runOverOf(a.Job)
	w.mu.Lock()
	h := w.held[a.Job]
	ok := h != nil && h.state != handedBack && h.run.ctx.Err() == nil && !over
	switch {
	case ok:
		h.state = started
	case h != nil && h.state == waiting && over:
		h.state = overdue
	case h != nil && h.state == waiting:
		h.state = refused
	}
	w.mu.Unlock()
	if !ok {
		return runner.Outcome{Stopped: true}
	}
	if a.Number == 1 {
		w.notice(a.Job, noticeMsg{Attempt: 1})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(h.run.ctx, cancel)()
	return e.inner.Execute(ctx, a)
}

// runOverOf reports whether the run of a job that this worker has held
// past the ack deadline (the worker was stopped, or starved) is over:
// collected or canceled. The server has handed such a job to another
// worker meanwhile, whose result counted; it must not start here now.
func (w *Worker) runOverOf(job *jobspec.Job) bool {
	w.mu.Lock()
	h := w.held[job]
	w.mu.Unlock()
	if h == nil || time.Since(h.taken) < w.ackWait {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := w.srv.getRun(ctx, h.m.Run)
	return err == nil && (r.info.State == Collected || r.info.State == Canceled)
}
