package fleet

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/runner"
)

// arrival is what the collector hears of: a result from a worker, a
// notice, a job finished without a worker (skipped, not submittable), or
// the end of the input.
type arrival struct {
	result *resultMsg
	notice *noticeMsg
	local  *runner.Result
	ended  bool
}

// feeds are the goroutines of a run that feed its collector: the intake,
// and, unless the run is detached, the readers of the results and of the
// notices. Each is started by start and waited for by stop, which ends
// them; the collector alone receives on arrivals.
type feeds struct {
	s        *Submitter
	arrivals chan arrival
	done     chan struct{} // closed by stop: a send gives up
	wg       sync.WaitGroup
	stops    []func() // what ends the readers
}

func newFeeds(s *Submitter) *feeds {
	return &feeds{s: s, arrivals: make(chan arrival, 64), done: make(chan struct{})}
}

// send hands a to the collector, unless the collector is done.
func (f *feeds) send(a arrival) {
	f.s.life.sent(a)
	select {
	case f.arrivals <- a:
	case <-f.done:
	}
}

// start runs fn in a goroutine that stop waits for.
func (f *feeds) start(fn func()) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		fn()
	}()
}

// stop ends the readers and waits for every goroutine.
func (f *feeds) stop() {
	close(f.done)
	for _, stop := range f.stops {
		stop()
	}
	f.wg.Wait()
}

// Run submits the jobs of src and collects their results until every
// submitted job has finished, or the run is canceled and the started jobs
// have reported (or CancelWait has passed). A detached run returns once
// every job is on the queue. ctx ending stops the run like Stop. Run
// returns the summary and the first error that ended the run early: src's
// error, the Record error, or a queue that cannot be reached.
func (s *Submitter) Run(ctx context.Context, src runner.Source) (runner.Summary, error) {
	start := time.Now()
	if s.cfg.Events != nil {
		defer close(s.cfg.Events)
	}
	if err := s.begin(ctx); err != nil {
		return runner.Summary{}, fmt.Errorf("recording the run: %w", err)
	}
	defer s.life.end()
	defer context.AfterFunc(ctx, s.Stop)()
	if i, ok := src.(runner.Interrupter); ok {
		defer context.AfterFunc(s.intake, i.Interrupt)()
	}
	defer s.armDeadline()()

	f := newFeeds(s)
	if !s.cfg.Detach {
		if err := s.readWorkers(f); err != nil {
			return runner.Summary{}, err
		}
	}
	slots := make(chan struct{}, s.cfg.InFlight)
	var accepted int
	var intakeErr, stateErr error
	f.start(func() {
		accepted, intakeErr = s.submitAll(src, slots, f.send)
		stateErr = s.submittedAll()
		f.send(arrival{ended: true})
	})
	tally := s.newTally()
	ended := make(chan struct{})
	toldStop := s.reason.Tell(s.intake, ended, s.emit)
	s.collect(tally, f.arrivals, slots)
	f.stop()
	sum, err := s.finish(tally, accepted)
	close(ended)
	toldStop()
	sum.Duration = time.Since(start)
	return sum, cmpErr(intakeErr, tally.Err(), stateErr, err)
}

// cmpErr is the first error that is not nil.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// armDeadline cancels the run once the deadline passes, and returns what
// disarms it.
func (s *Submitter) armDeadline() (disarm func()) {
	if s.cfg.Deadline.IsZero() {
		return func() {}
	}
	expire := func() { close(s.expired); s.cancel(runner.StopDeadline) }
	left := time.Until(s.cfg.Deadline)
	if left <= 0 {
		expire() // nothing is submitted after a deadline already past
		return func() {}
	}
	t := time.AfterFunc(left, expire)
	return func() { t.Stop() }
}

// readWorkers starts the readers of what the workers send: the run's
// results and its notices.
func (s *Submitter) readWorkers(f *feeds) error {
	results := &resultsFeed{js: s.srv.js, stream: s.srv.names.ResultsStream, subject: s.srv.names.results(s.run)}
	it, err := results.open()
	if err != nil {
		return fmt.Errorf("reading results: %w", err)
	}
	notices := make(chan *nats.Msg, 4096)
	sub, err := s.srv.nc.ChanSubscribe(s.srv.names.notice(s.run), notices)
	if err != nil {
		results.Stop()
		return err
	}
	f.stops = append(f.stops, results.Stop, func() { sub.Unsubscribe() })
	f.start(func() { results.read(it, f.done, func(msg jetstream.Msg) { s.takeResult(msg, f) }) })
	f.start(func() {
		for {
			select {
			case <-f.done:
				return
			case m := <-notices:
				if n, err := decodeNotice(m.Data); err == nil {
					f.send(arrival{notice: n})
				}
			}
		}
	})
	return nil
}

// takeResult passes a message of the run's results subject on to the
// collector, if it is a result of the run.
func (s *Submitter) takeResult(msg jetstream.Msg, f *feeds) {
	res, err := decodeResult(msg.Data())
	switch {
	case err != nil:
		s.warn("ignored a message on %s that is not a result (%d bytes): %v", shortened(msg.Subject()), len(msg.Data()), err)
	case res.Run != s.run:
		s.warn("ignored a result of run %s on this run's subject", res.Run)
	default:
		f.send(arrival{result: res})
	}
}

// newTally makes the Tally of the run. A stop rule reached, or a results
// file that fails, cancels an attached run; a detached run only stops
// submitting (no one watches its jobs' results). Each final result goes
// to the run's Dependencies (settle).
func (s *Submitter) newTally() *runner.Tally {
	cfg := runner.TallyConfig{Record: s.cfg.Record, Stop: s.cancel, Total: s.cfg.Total, Final: s.settle,
		Rules: runner.StopRules{MaxFailures: s.cfg.MaxFailures, MaxFailurePercent: s.cfg.MaxFailurePercent, StopOnSuccess: s.cfg.StopOnSuccess}}
	if s.cfg.Detach {
		cfg.Stop = func(c runner.StopCause) { s.drainFor(c, nil) }
	}
	if s.cfg.Events != nil {
		cfg.Emit = s.emit
	}
	return runner.NewTally(cfg)
}

// finish settles what the collector left, records the run's end on the
// server and completes the summary but for its duration. A detached run
// stopped while it submitted is canceled on the server as drover cancel
// would; its queued jobs are left to the workers, and to drover wait.
func (s *Submitter) finish(tally *runner.Tally, accepted int) (runner.Summary, error) {
	var err error
	if s.cfg.Detach {
		if s.isCanceled() {
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.CancelWait+10*time.Second)
			_, err = s.srv.stopRun(ctx, s.run, s.cfg.CancelWait)
			cancel()
		}
	} else {
		s.settleLeft(tally)
	}
	sum := tally.Summary()
	sum.Stop, _ = s.reason.Get()
	select {
	case <-s.expired:
		sum.DeadlinePassed = true
	default:
	}
	if s.cfg.Detach {
		sum.Jobs, sum.NotStarted = tally.Jobs(accepted, s.Queued())
		return sum, err
	}
	sum.Jobs, sum.NotStarted = tally.Jobs(accepted, 0)
	return sum, s.collected(sum)
}

// settleLeft records what never reported: a job a worker had started
// counts as canceled; the others are not started.
func (s *Submitter) settleLeft(tally *runner.Tally) {
	s.mu.Lock()
	left := s.outstanding
	s.outstanding = map[int]*pending{}
	s.mu.Unlock()
	for _, p := range sortedPending(left) {
		if !p.started {
			continue
		}
		now := time.Now()
		tally.Add(&runner.Result{Job: p.job, Status: runner.Canceled, Attempts: 1, StartedAt: now, FinishedAt: now,
			Err: fmt.Errorf("%v; no result came from its worker within %s", s.cancelWhy, s.cfg.CancelWait), Output: s.output(p.job, nil)})
	}
}
