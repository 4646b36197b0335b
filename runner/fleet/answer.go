package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

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
		w.answer(h.msg, w.resultOf(h.m, notStarted, "its run was canceled"))
		return nil
	}
	msg := w.resultOf(h.m, res.Status, "")
	msg.ExitCode, msg.Signal, msg.Attempts, msg.Requeued = res.ExitCode, res.Signal, res.Attempts, res.Requeued
	msg.StartedAt, msg.FinishedAt, msg.Slot = res.StartedAt, res.FinishedAt, res.Slot
	if res.Err != nil {
		msg.Error = res.Err.Error()
	} else if res.Status == runner.Canceled {
		msg.Error = "canceled by the run's submitter"
	}
	if c, ok := res.Output.(*capture); ok {
		msg.Stdout, msg.StdoutDropped = c.stdout.buf, c.stdout.dropped
		msg.Stderr, msg.StderrDropped = c.stderr.buf, c.stderr.dropped
	}
	msg.StderrTail = res.StderrTail
	if w.answer(h.msg, msg) {
		w.log("run %s job %s: %s after %d %s in %s", h.m.Run, h.m.ID, res.Status, res.Attempts,
			plural(res.Attempts, "attempt", "attempts"), res.FinishedAt.Sub(res.StartedAt).Round(time.Millisecond))
	}
	return nil
}

func (w *Worker) resultOf(m *jobMsg, status runner.Status, errText string) *resultMsg {
	now := time.Now()
	return &resultMsg{Run: m.Run, Seq: m.Seq, ID: m.ID, Record: m.Record, Status: status, Error: errText,
		StartedAt: now, FinishedAt: now, Worker: w.cfg.Name}
}

// answer publishes a job's result, trying again while the connection is
// down, then acknowledges the job's message. It gives up only when the
// worker is killed, and then reports false: the job will be delivered
// again.
func (w *Worker) answer(msg jetstream.Msg, res *resultMsg) bool {
	data, err := json.Marshal(res)
	if err != nil {
		return false
	}
	for failing := false; ; failing = true {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = w.js.Publish(ctx, resultsPrefix+res.Run, data)
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
		if !failing {
			w.log("run %s job %s: cannot send the result (%v); trying again", res.Run, res.ID, err)
		}
		select {
		case <-w.killed:
			return false
		case <-time.After(time.Second):
		}
	}
	if w.beforeAck != nil {
		w.beforeAck()
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
	w.mu.Lock()
	h := w.held[a.Job]
	ok := h != nil && h.state != handedBack && h.run.ctx.Err() == nil
	switch {
	case ok:
		h.state = started
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
