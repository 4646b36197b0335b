package runner

import (
	"context"
	"errors"
	"sync"
)

// The causes of a stop as the running jobs hear them, told apart with
// context.Cause.
var (
	errTimeout     = errors.New("timed out")
	errStopped     = errors.New("stopped by a signal")
	errMaxFailures = errors.New("stopped by --max-failures")
	errRecordStop  = errors.New("stopped: the results file could not be written")
	errSuccess     = errors.New("stopped by --stop-on-success")
	errDeadline    = errors.New("stopped: the run's deadline passed")
)

// jobsHear is what the running jobs hear of each cause of a stop.
var jobsHear = map[StopCause]error{
	StopSignal: errStopped, StopMaxFailures: errMaxFailures, StopOnSuccess: errSuccess,
	StopDeadline: errDeadline, StopResultsError: errRecordStop,
}

// FirstStop keeps the first cause of a run's stop, and the input's error
// when that cause is the input, and tells it as the run's IntakeStopped
// event. Its methods may be called from any goroutine.
type FirstStop struct {
	mu    sync.Mutex
	cause StopCause
	err   error
}

// Set keeps c and err unless a cause was kept before.
func (s *FirstStop) Set(c StopCause, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cause == 0 {
		s.cause, s.err = c, err
	}
}

// Get is the first cause kept (0: none yet) and its error.
func (s *FirstStop) Get() (StopCause, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cause, s.err
}

// Tell starts the goroutine that emits the IntakeStopped event, with the
// first cause, once intake is done, if it is done before the run ends
// (ended closed). Whoever stops intake Sets the cause first. Tell returns
// what waits for that goroutine, which the run calls after closing ended
// and before it closes its events.
func (s *FirstStop) Tell(intake context.Context, ended <-chan struct{}, emit func(Event)) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-intake.Done():
		case <-ended:
			if intake.Err() == nil {
				return
			}
		}
		c, err := s.Get()
		emit(Event{Kind: IntakeStopped, Cause: c, Err: err})
	}()
	return func() { <-done }
}

// drainFor stops intake for cause c: no job starts after it; running jobs
// run to completion.
func (r *Runner) drainFor(c StopCause, err error) {
	r.reason.Set(c, err)
	r.stopIntake()
}

// stopFor stops intake and the running jobs for cause c.
func (r *Runner) stopFor(c StopCause) {
	r.drainFor(c, nil)
	r.stopJobs(jobsHear[c]) // only the first cause counts
}

// halt acts on the Tally's stop: a rule reached drains the run under
// HaltSoon, and stops it otherwise; a results file that failed stops it.
func (r *Runner) halt(c StopCause) {
	if r.cfg.HaltSoon && c != StopResultsError {
		r.drainFor(c, nil)
		return
	}
	r.stopFor(c)
}
