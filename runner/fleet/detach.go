package fleet

import (
	"context"
	"time"

	"github.com/drover/drover/runner"
)

// runDetached submits the jobs of src and returns once every one is on
// the queue (or was recorded here: skipped, refused by the server). The
// workers' results wait on the server for drover wait. A run stopped
// while it submits (Stop, ctx) is canceled on the server as drover cancel
// would: its queued jobs are withdrawn and its running jobs stopped.
func (s *Submitter) runDetached(ctx context.Context, src runner.Source) (runner.Summary, error) {
	start := time.Now()
	defer context.AfterFunc(ctx, s.Stop)()
	if s.cfg.Events != nil {
		defer close(s.cfg.Events)
	}
	if i, ok := src.(runner.Interrupter); ok {
		defer context.AfterFunc(s.intake, i.Interrupt)()
	}
	var sum runner.Summary
	arrivals := make(chan arrival, 64)
	done := make(chan struct{})
	send := func(a arrival) {
		s.life.sent(a)
		select {
		case arrivals <- a:
		case <-done:
		}
	}
	slots := make(chan struct{}, s.cfg.InFlight)
	var accepted int
	var intakeErr error
	intakeDone := make(chan struct{})
	go func() {
		defer close(intakeDone)
		accepted, intakeErr = s.submitAll(src, slots, send)
		s.submittedAll()
		send(arrival{ended: true})
	}()
	// What the submitter records itself; a results file that fails stops
	// the submitting.
	tally := s.newTally(runner.StopRules{}, func(c runner.StopCause) { s.drainFor(c, nil) })
	ended := make(chan struct{})
	toldStop := s.reason.Tell(s.intake, ended, s.emit)
	for a := range arrivals {
		if a.ended {
			break
		}
		if a.local == nil {
			continue
		}
		<-slots
		tally.Add(a.local)
	}
	close(done)
	<-intakeDone
	close(ended)
	toldStop()

	select {
	case <-s.canceled:
		cctx, cancel := context.WithTimeout(context.Background(), s.cfg.CancelWait+10*time.Second)
		stopRun(cctx, s.nc, s.js, s.life.kv, s.names, s.run, s.cfg.CancelWait)
		cancel()
	default:
	}
	sum = tally.Summary()
	sum.Jobs, sum.NotStarted = tally.Jobs(accepted, s.Queued())
	sum.Duration = time.Since(start)
	if intakeErr != nil {
		return sum, intakeErr
	}
	return sum, tally.Err()
}
