package runner

import (
	"fmt"
	"sync"
	"time"
)

// limit is one rule of a Throttle. Only the goroutine holding the gate's
// turn calls its methods.
type limit interface {
	// hold returns nil when a start may go ahead at now, or why it may not.
	hold(now time.Time) *Hold
	// started notes a start at now.
	started(now time.Time)
}

// gate decides when attempts start. wait may be called from many
// goroutines at once; they take turns, one deciding at a time, so that
// each start sees the ones before it. A nil *gate never holds.
type gate struct {
	limits []limit
	clock  Clock
	emit   func(Event)
	turn   chan struct{} // holds a token while a goroutine decides a start

	mu   sync.Mutex
	held HoldTimes
}

func newGate(t Throttle, emit func(Event)) (*gate, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if !t.enabled() {
		return nil, nil
	}
	g := &gate{clock: t.clock(), emit: emit, turn: make(chan struct{}, 1)}
	poll := t.poll()
	if t.MemFree > 0 {
		src, err := t.memory()
		if err != nil {
			return nil, fmt.Errorf("memfree: %w", err)
		}
		read := func() (float64, error) { n, err := src.Available(); return float64(n), err }
		below := func(have, limit float64) bool { return have < limit }
		g.limits = append(g.limits, &figureLimit{HoldMemory, read, float64(t.MemFree), below, poll})
	}
	if t.Load > 0 {
		src := t.Processes
		if src == nil {
			src = defaultLoad()
		}
		if _, err := src.Runnable(); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
		atLeast := func(have, limit float64) bool { return have >= limit }
		g.limits = append(g.limits, &figureLimit{HoldLoad, src.Runnable, t.Load, atLeast, poll})
	}
	if t.Rate.Starts > 0 {
		g.limits = append(g.limits, newRateLimit(t.Rate))
	}
	if t.Delay > 0 {
		g.limits = append(g.limits, &delayLimit{delay: t.Delay})
	}
	return g, nil
}

// wait blocks until an attempt may start, and reports true, or until stop
// is closed, and reports false.
func (g *gate) wait(stop <-chan struct{}) bool {
	if g == nil {
		return true
	}
	select {
	case g.turn <- struct{}{}:
	case <-stop:
		return false
	}
	defer func() { <-g.turn }()

	var held, shown *Hold // the hold of the last look, and the one last reported
	var since time.Time   // when the last look was
	defer func() {
		if shown != nil {
			g.emit(Event{Kind: StartsHeld})
		}
	}()
	for {
		now := g.clock.Now()
		if held != nil {
			g.addHeld(held.Reason, now.Sub(since))
		}
		select {
		case <-stop:
			return false
		default:
		}
		since = now
		if held = g.hold(now); held == nil {
			for _, l := range g.limits {
				l.started(now)
			}
			return true
		}
		if shown == nil || !shown.same(held) {
			g.emit(Event{Kind: StartsHeld, Hold: held})
			shown = held
		}
		select {
		case <-g.clock.After(held.Wait):
		case <-stop:
			g.addHeld(held.Reason, g.clock.Now().Sub(since))
			return false
		}
	}
}

// hold asks every limit in turn; the first that holds says why.
func (g *gate) hold(now time.Time) *Hold {
	for _, l := range g.limits {
		if h := l.hold(now); h != nil {
			return h
		}
	}
	return nil
}

func (g *gate) addHeld(r HoldReason, d time.Duration) {
	g.mu.Lock()
	g.held.add(r, d)
	g.mu.Unlock()
}

// heldTimes is how long starts were held so far.
func (g *gate) heldTimes() HoldTimes {
	if g == nil {
		return HoldTimes{}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

// same reports whether h says what o said, within 1% of the limit, so that
// a figure that barely moves is not reported again at every look.
func (h *Hold) same(o *Hold) bool {
	if h.Reason != o.Reason {
		return false
	}
	d := h.Have - o.Have
	return d <= 0.01*h.Limit && -d <= 0.01*h.Limit
}
