package runner

import (
	"sync"
	"time"
)

// clock is the time a run's attempt timers and deadline go by; tests give
// a run a clock they move by hand.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) timer
}

// timer is a timer made by a clock.
type timer interface {
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time                            { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) timer { return time.AfterFunc(d, f) }

// pause is a run's paused state and the attempt timers that stand still
// while the run is paused. While paused, no job and no attempt starts;
// wait blocks until the pause ends. Its methods are safe for concurrent use.
type pause struct {
	clock clock

	mu      sync.Mutex
	paused  bool
	resumed chan struct{} // closed when the pause ends; set while paused
	timers  map[*pausableTimer]struct{}
}

func newPause(c clock) *pause {
	return &pause{clock: c, timers: map[*pausableTimer]struct{}{}}
}

// set pauses (on true) or resumes the run, stopping or restarting every
// pausable timer, and reports whether that changed anything.
func (p *pause) set(on bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused == on {
		return false
	}
	p.paused = on
	now := p.clock.Now()
	if on {
		p.resumed = make(chan struct{})
		for t := range p.timers {
			if t.t.Stop() { // false: it fired already, and its function runs
				t.left -= now.Sub(t.since)
				t.t = nil
			}
		}
		return true
	}
	close(p.resumed)
	for t := range p.timers {
		if t.t == nil {
			t.since = now
			t.t = p.clock.AfterFunc(max(t.left, 0), t.fire)
		}
	}
	return true
}

func (p *pause) isPaused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// wait returns true at once when the run is not paused, and otherwise once
// the pause ends; it returns false when done closes first.
func (p *pause) wait(done <-chan struct{}) bool {
	p.mu.Lock()
	resumed, paused := p.resumed, p.paused
	p.mu.Unlock()
	if !paused {
		return true
	}
	select {
	case <-resumed:
		return true
	case <-done:
		return false
	}
}

// pausableTimer calls f once it has run for its duration, not counting the
// time the run was paused. Its fields are guarded by the pause's mutex.
type pausableTimer struct {
	p     *pause
	f     func()
	left  time.Duration // what remained when the timer was last restarted
	since time.Time     // when it was last restarted
	t     timer         // nil while the run is paused
}

// afterFunc starts a pausable timer that calls f after d of unpaused time.
func (p *pause) afterFunc(d time.Duration, f func()) *pausableTimer {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := &pausableTimer{p: p, f: f, left: d, since: p.clock.Now()}
	if !p.paused {
		t.t = p.clock.AfterFunc(d, t.fire)
	}
	p.timers[t] = struct{}{}
	return t
}

func (t *pausableTimer) fire() {
	t.p.mu.Lock()
	_, live := t.p.timers[t]
	delete(t.p.timers, t)
	t.p.mu.Unlock()
	if live {
		t.f()
	}
}

// stop stops the timer; f is not called after stop returns, unless it had
// already begun.
func (t *pausableTimer) stop() {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	if t.t != nil {
		t.t.Stop()
	}
	delete(t.p.timers, t)
}
