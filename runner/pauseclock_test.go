package runner

import (
	"sync"
	"time"
)

// fakeTimers is a clock moved by hand: Advance runs, in the calling
// goroutine, the functions of the timers that come due.
type fakeTimers struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimerFunc
}

type fakeTimerFunc struct {
	c    *fakeTimers
	when time.Time
	f    func()
	live bool
}

func newFakeTimers() *fakeTimers { return &fakeTimers{now: time.Unix(1_000_000, 0)} }

func (c *fakeTimers) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeTimers) AfterFunc(d time.Duration, f func()) timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimerFunc{c: c, when: c.now.Add(d), f: f, live: true}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimerFunc) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.live
	t.live = false
	return was
}

// Advance moves the clock on by d, firing due timers in order of time.
func (c *fakeTimers) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		var next *fakeTimerFunc
		for _, t := range c.timers {
			if t.live && !t.when.After(end) && (next == nil || t.when.Before(next.when)) {
				next = t
			}
		}
		if next == nil {
			break
		}
		next.live = false
		c.now = next.when
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
	c.now = end
	c.mu.Unlock()
}

// useClock makes r go by c.
func (r *Runner) useClock(c clock) {
	r.clock = c
	r.pause = newPause(c)
}
