package runner

import (
	"sync"
	"sync/atomic"
)

// runDeadline is a run's deadline, armed when the run starts. When it
// passes, the run stops at once, as Stop stops it, and a DeadlinePassed
// event follows. It is armed and disarmed by Run alone.
type runDeadline struct {
	t        timer
	passed   atomic.Bool
	fired    chan struct{} // closed when the deadline passes
	disarmed chan struct{} // closed by disarm
	wg       sync.WaitGroup
}

// armDeadline arms the run's deadline, if it has one. A deadline already
// past stops the run before any job starts.
func (r *Runner) armDeadline() *runDeadline {
	d := &runDeadline{fired: make(chan struct{}), disarmed: make(chan struct{})}
	if r.cfg.Deadline.IsZero() {
		return d
	}
	fire := func() {
		if d.passed.CompareAndSwap(false, true) {
			r.stopFor(StopDeadline)
			close(d.fired)
		}
	}
	d.wg.Add(1)
	go func() { // tells of the deadline from a goroutine Run waits for
		defer d.wg.Done()
		select {
		case <-d.fired:
			r.emit(Event{Kind: DeadlinePassed})
		case <-d.disarmed:
		}
	}()
	if left := r.cfg.Deadline.Sub(r.clock.Now()); left > 0 {
		d.t = r.clock.AfterFunc(left, fire)
	} else {
		fire()
	}
	return d
}

// disarm stops the deadline's timer and reports whether the deadline had
// passed. Run calls it once the last job is done, before it closes the
// events.
func (d *runDeadline) disarm() bool {
	if d.t != nil {
		d.t.Stop()
	}
	close(d.disarmed)
	d.wg.Wait()
	return d.passed.Load()
}
