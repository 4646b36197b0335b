package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
func (s *Server) Status(ctx context.Context, run string) (*RunStatus, error) {
	ctx, done := s.guard(ctx)
	defer done()
	st, err := s.status(ctx, run)
	if err != nil {
		return nil, s.explain(ctx, err)
	}
	return st, nil
}

func (s *Server) status(ctx context.Context, run string) (*RunStatus, error) {
	r, err := s.getRun(ctx, run)
	if err != nil {
		return nil, err
	}
	st := &RunStatus{RunInfo: r.info}
	if r.info.State == Collected {
		return st, nil
	}
	var live liveRun
	if live, st.SubmitterAlive = s.askSubmitter(run); st.SubmitterAlive && st.State == Submitting {
		st.Queued = live.Queued // so far
	}
	if st.OnQueue, err = s.onQueue(ctx, run); err != nil {
		return nil, err
	}
	if st.Held, err = s.heldJobs(ctx, run, time.Second); err != nil {
		return nil, err
	}
	err = s.readResults(ctx, run, func(m *resultMsg) {
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
	// SubmitterAlive says that the run's drover run is attached and
	// alive: it records the results itself.
	SubmitterAlive bool
}

// Cancel stops a run: its jobs still on the queue are withdrawn (they end
// not_started), its submitter stops submitting, and the workers stop its
// running jobs, which end canceled. It waits at most wait for those
// results; a running job whose worker sent none by then gets a canceled
// result from Cancel itself, so that drover wait records it. A run that
// is collected already is left alone (Already says so).
func (s *Server) Cancel(ctx context.Context, run string, wait time.Duration) (*CancelReport, error) {
	ctx, done := s.guard(ctx)
	defer done()
	rep, err := s.stopRun(ctx, run, wait)
	if err != nil {
		return nil, s.explain(ctx, err)
	}
	return rep, nil
}

func (s *Server) stopRun(ctx context.Context, run string, wait time.Duration) (*CancelReport, error) {
	rep := &CancelReport{}
	info, err := s.updateRun(ctx, run, func(i *RunInfo) bool {
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
	rep.SubmitterAlive = !info.Detached && s.submitterAlive(run)
	running, err := s.withdraw(ctx, run, rep)
	if err != nil {
		return nil, err
	}
	if s.awaitStopped(ctx, run, running, time.Now().Add(wait)) {
		return rep, nil // its submitter recorded the stopped jobs
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err := s.recordUnanswered(ctx, run, running, wait, rep); err != nil {
		return nil, err
	}
	_, err = s.updateRun(ctx, run, func(i *RunInfo) bool {
		if i.State != Canceling {
			return false
		}
		i.State = Canceled
		return true
	})
	return rep, err
}

// withdraw tells the run's submitter and workers of the cancel, removes
// its jobs from the queue, and returns its jobs that were running, by
// sequence number.
func (s *Server) withdraw(ctx context.Context, run string, rep *CancelReport) (map[int]HeldJob, error) {
	queued, err := s.onQueue(ctx, run)
	if err != nil {
		return nil, err
	}
	held, err := s.heldJobs(ctx, run, time.Second)
	if err != nil {
		return nil, err
	}
	if err := s.nc.Publish(s.names.cancel(run), nil); err != nil {
		return nil, err
	}
	st, err := s.js.Stream(ctx, s.names.JobsStream)
	if err != nil {
		return nil, err
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSubject(s.names.jobs(run))); err != nil {
		return nil, fmt.Errorf("withdrawing the queued jobs: %w", err)
	}
	s.nc.Flush()
	running := map[int]HeldJob{}
	for _, h := range held {
		if h.Run == run && h.Running {
			running[h.Seq] = h
		}
	}
	rep.Stopped = len(running)
	rep.Withdrawn = max(queued-len(running), 0)
	return running, nil
}

// awaitStopped waits, until deadline, for the results of the running
// jobs, and deletes each from running as its result comes. It reports
// whether the run's submitter recorded the run as collected meanwhile.
func (s *Server) awaitStopped(ctx context.Context, run string, running map[int]HeldJob, deadline time.Time) bool {
	for len(running) > 0 && time.Now().Before(deadline) {
		if r, err := s.getRun(ctx, run); err == nil && r.info.State == Collected {
			return true
		}
		rctx, cancel := context.WithTimeout(ctx, time.Until(deadline))
		s.readResults(rctx, run, func(m *resultMsg) { delete(running, m.Seq) })
		cancel()
		if len(running) > 0 {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return false
}

// recordUnanswered publishes a canceled result for each running job whose
// worker sent none within wait, so that drover wait records it.
func (s *Server) recordUnanswered(ctx context.Context, run string, running map[int]HeldJob, wait time.Duration, rep *CancelReport) error {
	now := time.Now()
	for _, h := range running {
		m := resultMsg{Run: run, Seq: h.Seq, ID: h.ID, Record: h.Record, Status: runner.Canceled, Attempts: 1,
			StartedAt: now, FinishedAt: now, Worker: h.Worker,
			Error: fmt.Sprintf("canceled by drover cancel; no result came from worker %s within %s", h.Worker, wait)}
		data, _ := json.Marshal(m)
		if _, err := s.js.Publish(ctx, s.names.results(run), data); err != nil {
			return fmt.Errorf("recording job %s canceled: %w", h.ID, err)
		}
		rep.Unanswered++
	}
	return nil
}

// Unfinished returns the runs that are not collected among those named
// and those whose submitter wrote to the results file results on host.
// A --resume of that file must not submit their jobs again.
func (s *Server) Unfinished(ctx context.Context, named []string, results, host string) ([]RunInfo, error) {
	all, err := s.ListRuns(ctx)
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
