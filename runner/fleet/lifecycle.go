package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/drover/drover/runner"
)

// life is a submitter's side of its run's life on the server: the run's
// metadata, the subject it answers on while it lives, and the cancel
// orders of drover cancel. Its counters are safe for concurrent use.
type life struct {
	queued atomic.Int64 // jobs the server has put on the queue

	mu          sync.Mutex
	local       int // jobs recorded by the submitter itself
	localCounts runner.Counts

	subs []*nats.Subscription
}

// begin records the run on the server as Submitting, answers on its
// subject, and hears drover cancel.
func (s *Submitter) begin(ctx context.Context) error {
	now := time.Now().UTC()
	info := &RunInfo{Run: s.run, State: Submitting, Detached: s.cfg.Detach, Submitter: s.cfg.Name,
		Results: s.cfg.Results, Created: now, Updated: now}
	if err := s.srv.createRun(ctx, info); err != nil {
		return explain(err)
	}
	alive, err := s.srv.nc.Subscribe(s.srv.names.live(s.run), func(m *nats.Msg) {
		data, _ := json.Marshal(liveRun{Queued: s.Queued()})
		m.Respond(data)
	})
	if err != nil {
		return err
	}
	canceled, err := s.srv.nc.Subscribe(s.srv.names.cancel(s.run), func(*nats.Msg) { s.cancel(runner.StopCanceled) })
	if err != nil {
		alive.Unsubscribe()
		return err
	}
	s.life.subs = []*nats.Subscription{alive, canceled}
	return s.srv.nc.Flush()
}

// sent counts the jobs the submitter records itself.
func (l *life) sent(a arrival) {
	if a.local == nil {
		return
	}
	l.mu.Lock()
	l.local++
	l.localCounts.Add(a.local.Status)
	l.mu.Unlock()
}

// queuedJob is called once the server has put a job on the queue: it no
// longer counts as outstanding for a detached run, which collects nothing.
func (s *Submitter) queuedJob(seq int, slots <-chan struct{}) {
	s.life.queued.Add(1)
	if s.cfg.Detach && s.forget(seq) != nil {
		<-slots
	}
}

// submittedAll records that intake has ended: the run is Submitted, with
// its counts, unless it was canceled or collected meanwhile.
func (s *Submitter) submittedAll() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.srv.updateRun(ctx, s.run, func(i *RunInfo) bool {
		s.life.mu.Lock()
		i.Queued, i.Local, i.LocalCounts = int(s.life.queued.Load()), s.life.local, s.life.localCounts
		s.life.mu.Unlock()
		if i.State == Submitting {
			i.State = Submitted
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("recording run %s as submitted: %w", s.run, err)
	}
	return nil
}

// collected records that the submitter has recorded every result, and
// only then removes the results from the server: a run whose state could
// not be recorded keeps them, for drover wait.
func (s *Submitter) collected(sum runner.Summary) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.srv.updateRun(ctx, s.run, func(i *RunInfo) bool {
		i.State, i.Final = Collected, &sum.Counts
		return true
	})
	if err != nil {
		return fmt.Errorf("recording run %s as collected (its results stay on the server for drover wait): %w", s.run, err)
	}
	s.srv.purge(ctx, s.srv.names.ResultsStream, s.srv.names.results(s.run))
	return nil
}

// end stops answering on the run's subject.
func (l *life) end() {
	for _, sub := range l.subs {
		sub.Unsubscribe()
	}
}

// Queued is the number of jobs the server has put on the queue.
func (s *Submitter) Queued() int { return int(s.life.queued.Load()) }

// liveRun is a live submitter's answer on its run's subject.
type liveRun struct {
	Queued int `json:"queued"`
}
