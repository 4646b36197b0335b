package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// fetcher is the worker's job source for the local runner: it pulls one
// job at a time from the queue, until the worker is drained.
type fetcher struct{ w *Worker }

func (f fetcher) Next() (*jobspec.Job, error) {
	w := f.w
	failing := false
	for {
		select {
		case <-w.drained:
			return nil, io.EOF
		default:
		}
		batch, err := w.cons.Fetch(1, jetstream.FetchMaxWait(w.cfg.FetchWait))
		if err == nil {
			for msg := range batch.Messages() {
				if job := w.take(msg); job != nil {
					return job, nil
				}
			}
			err = batch.Error()
		}
		if err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			if !failing {
				w.log("cannot pull jobs: %v; trying again every second", err)
			}
			failing = true
			select {
			case <-w.drained:
			case <-time.After(time.Second):
			}
			continue
		}
		failing = false
	}
}

// take turns a message from the queue into a job to run, or deals with it
// at once: a message that is not a job, a poison job, a job of a canceled
// run, a job taken as the worker drains.
func (w *Worker) take(msg jetstream.Msg) *jobspec.Job {
	m, err := decodeJob(msg.Data(), msg.Subject(), w.srv.names)
	if m == nil {
		msg.Term()
		w.warn("dropped a message on %s that is not a drover job (%d bytes): %v", shortened(msg.Subject()), len(msg.Data()), err)
		return nil
	}
	if err != nil {
		w.warn("run %s job %s: bad job message, not run: %v", m.Run, m.ID, err)
		w.answer(msg, w.resultOf(m, runner.Failed, fmt.Sprintf("bad job message: %v", err)), true)
		return nil
	}
	if md, err := msg.Metadata(); err == nil && md.NumDelivered > uint64(w.cfg.MaxDeliver) {
		w.log("run %s job %s: delivered %d times without a result; failing it", m.Run, m.ID, md.NumDelivered)
		w.answer(msg, w.resultOf(m, runner.Failed, fmt.Sprintf(
			"given up after %d deliveries: every worker that took the job was lost before it finished (max-deliver %d)",
			md.NumDelivered-1, w.cfg.MaxDeliver)), true)
		return nil
	}
	w.mu.Lock()
	switch {
	case w.draining:
		w.mu.Unlock()
		msg.Nak()
		return nil
	case !w.canceled[m.Run].IsZero():
		w.mu.Unlock()
		w.answer(msg, w.resultOf(m, notStarted, "its run was canceled"), true)
		return nil
	}
	rs := w.runs[m.Run]
	if rs == nil {
		rs = &runState{}
		rs.ctx, rs.cancel = context.WithCancel(context.Background())
		w.runs[m.Run] = rs
	}
	rs.held++
	job := m.job()
	w.held[job] = &heldJob{msg: msg, m: m, run: rs, taken: time.Now()}
	w.mu.Unlock()
	return job
}

// release forgets a held job and returns it.
func (w *Worker) release(job *jobspec.Job) *heldJob {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.held[job]
	if h == nil {
		return nil
	}
	delete(w.held, job)
	if h.run.held--; h.run.held == 0 {
		h.run.cancel()
		delete(w.runs, h.m.Run)
	}
	return h
}
