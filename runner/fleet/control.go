package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/runner"
)

// RunStatus is what the server and the workers know of a run now.
type RunStatus struct {
	RunInfo
	// SubmitterAlive says that the run's drover run answered.
	SubmitterAlive bool
	// OnQueue counts the run's jobs still on the queue: waiting for a
	// worker, or held by one (Held lists those whose worker answered).
	OnQueue int
	Held    []HeldJob
	// Results counts, by status, the results on the server not yet
	// collected.
	Results runner.Counts
}

// Status reports on one run.
func Status(ctx context.Context, nc *nats.Conn, run string) (*RunStatus, error) {
	js, kv, err := runsOn(ctx, nc)
	if err != nil {
		return nil, err
	}
	r, err := getRun(ctx, kv, run)
	if err != nil {
		return nil, err
	}
	st := &RunStatus{RunInfo: r.info}
	if r.info.State == Collected {
		return st, nil
	}
	var live liveRun
	if live, st.SubmitterAlive = askSubmitter(nc, run); st.SubmitterAlive && st.State == Submitting {
		st.Queued = live.Queued // so far
	}
	if st.OnQueue, err = onQueue(ctx, js, run); err != nil {
		return nil, err
	}
	if st.Held, err = heldJobs(ctx, nc, js, run, time.Second); err != nil {
		return nil, err
	}
	err = readResults(ctx, js, run, func(m *resultMsg) {
		if m.Status == notStarted {
			st.Results.NotStarted++
		} else {
			st.Results.Add(m.Status)
		}
	})
	return st, err
}

// CancelReport says what Cancel did.
type CancelReport struct {
	Withdrawn  int // jobs withdrawn before they started: on the queue, or taken by a worker and waiting
	Stopped    int // running jobs the workers were told to stop
	Unanswered int // of those, the ones whose worker sent no result within the wait; recorded canceled here
	Already    RunState
}

// Cancel stops a run: its jobs still on the queue are withdrawn (they end
// not_started), its submitter stops submitting, and the workers stop its
// running jobs, which end canceled. It waits at most wait for those
// results; a running job whose worker sent none by then gets a canceled
// result from Cancel itself, so that drover wait records it. A run that
// is collected already is left alone (Already says so).
func Cancel(ctx context.Context, nc *nats.Conn, run string, wait time.Duration) (*CancelReport, error) {
	js, kv, err := runsOn(ctx, nc)
	if err != nil {
		return nil, err
	}
	return stopRun(ctx, nc, js, kv, run, wait)
}

func stopRun(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, kv jetstream.KeyValue, run string, wait time.Duration) (*CancelReport, error) {
	rep := &CancelReport{}
	_, err := updateRun(ctx, kv, run, func(i *RunInfo) bool {
		if i.State == Collected {
			rep.Already = Collected
			return false
		}
		i.State = Canceling
		return true
	})
	if err != nil {
		return nil, err
	}
	if rep.Already != "" {
		return rep, nil
	}
	queued, err := onQueue(ctx, js, run)
	if err != nil {
		return nil, err
	}
	held, err := heldJobs(ctx, nc, js, run, time.Second)
	if err != nil {
		return nil, err
	}
	if err := nc.Publish(cancelPrefix+run, nil); err != nil {
		return nil, err
	}
	st, err := js.Stream(ctx, JobsStream)
	if err != nil {
		return nil, err
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSubject(jobsPrefix+run)); err != nil {
		return nil, fmt.Errorf("withdrawing the queued jobs: %w", err)
	}
	nc.Flush()
	running := map[int]HeldJob{}
	for _, h := range held {
		if h.Run == run && h.Running {
			running[h.Seq] = h
		}
	}
	rep.Stopped = len(running)
	rep.Withdrawn = max(queued-len(running), 0)

	// Wait for the stopped jobs' results.
	deadline := time.Now().Add(wait)
	for len(running) > 0 && time.Now().Before(deadline) {
		if r, err := getRun(ctx, kv, run); err == nil && r.info.State == Collected {
			return rep, nil // its submitter recorded the stopped jobs
		}
		rctx, cancel := context.WithTimeout(ctx, time.Until(deadline))
		readResults(rctx, js, run, func(m *resultMsg) { delete(running, m.Seq) })
		cancel()
		if len(running) > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	now := time.Now()
	for _, h := range running {
		m := resultMsg{Run: run, Seq: h.Seq, ID: h.ID, Record: h.Record, Status: runner.Canceled, Attempts: 1,
			StartedAt: now, FinishedAt: now, Worker: h.Worker,
			Error: fmt.Sprintf("canceled by drover cancel; no result came from worker %s within %s", h.Worker, wait)}
		data, _ := json.Marshal(m)
		if _, err := js.Publish(ctx, resultsPrefix+run, data); err != nil {
			return nil, fmt.Errorf("recording job %s canceled: %w", h.ID, err)
		}
		rep.Unanswered++
	}
	_, err = updateRun(ctx, kv, run, func(i *RunInfo) bool {
		if i.State != Canceling {
			return false
		}
		i.State = Canceled
		return true
	})
	return rep, err
}

// Unfinished returns the runs that are not collected among those named
// and those whose submitter wrote to the results file results on host.
// A --resume of that file must not submit their jobs again.
func Unfinished(ctx context.Context, nc *nats.Conn, named []string, results, host string) ([]RunInfo, error) {
	all, err := ListRuns(ctx, nc)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, r := range named {
		want[r] = true
	}
	var open []RunInfo
	for _, i := range all {
		if !i.Open() {
			continue
		}
		h, _, _ := strings.Cut(i.Submitter, ":")
		if want[i.Run] || (results != "" && i.Results == results && h == host) {
			open = append(open, i)
		}
	}
	return open, nil
}
