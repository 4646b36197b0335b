package runner

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Throttle limits when attempts start, on top of the Jobs slots. The zero
// value limits nothing. Every attempt is a start: a retry and a job started
// again after a stop for memory wait like a first attempt.
type Throttle struct {
	// Delay is the least time between two starts.
	Delay time.Duration
	// Rate limits starts with a token bucket; the zero Rate limits nothing.
	Rate Rate
	// MemFree, in bytes, holds starts while less memory is available; below
	// half of it, the youngest running attempt is stopped and its job
	// started again once memory allows (see Requeue). 0 means no limit.
	MemFree int64
	// Load holds starts while the runnable processes number Load or more.
	// 0 means no limit.
	Load float64
	// Poll is how often memory and load are read again while starts are
	// held, and how often memory is watched; 0 means DefaultPoll.
	Poll time.Duration
	// Memory and Processes read the machine's figures; nil means the
	// /proc and cgroup files of the machine drover runs on.
	Memory    MemorySource
	Processes LoadSource
	// Clock tells the time and waits; nil means the system clock.
	Clock Clock
}

// DefaultPoll is how often memory and load are read while they hold starts.
const DefaultPoll = 250 * time.Millisecond

// MaxRequeues is how many times one job may be stopped for want of memory
// and started again; the next such stop fails it.
const MaxRequeues = 10

func (t Throttle) enabled() bool {
	return t.Delay > 0 || t.Rate.Starts > 0 || t.MemFree > 0 || t.Load > 0
}

func (t Throttle) check() error {
	switch {
	case t.Delay < 0 || t.Poll < 0:
		return errors.New("durations must not be negative")
	case t.Rate.Starts < 0 || t.Rate.Burst < 0 || (t.Rate.Starts > 0 && t.Rate.Per <= 0):
		return errors.New("rate must be a positive number of starts per a positive time")
	case t.MemFree < 0:
		return errors.New("memfree must not be negative")
	case t.Load < 0:
		return errors.New("load must not be negative")
	}
	return nil
}

// Rate is a limit of Starts starts Per a length of time, kept as a token
// bucket: Burst starts may go at once after a quiet spell (0 means 1), and
// each further one waits Per/Starts after the one before.
type Rate struct {
	Starts int
	Per    time.Duration
	Burst  int
}

// String says the rate as it is given on the command line: "5/s", "30/m".
func (r Rate) String() string {
	switch r.Per {
	case time.Second:
		return fmt.Sprintf("%d/s", r.Starts)
	case time.Minute:
		return fmt.Sprintf("%d/m", r.Starts)
	case time.Hour:
		return fmt.Sprintf("%d/h", r.Starts)
	}
	return fmt.Sprintf("%d/%s", r.Starts, r.Per)
}

// Clock tells the time and waits. It is called from many goroutines.
type Clock interface {
	Now() time.Time
	// After is like time.After.
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// HoldReason says which limit holds starts.
type HoldReason int

// The limits that can hold starts.
const (
	HoldDelay  HoldReason = iota + 1 // Throttle.Delay since the last start has not passed
	HoldRate                         // the rate's bucket is empty
	HoldMemory                       // less memory is available than Throttle.MemFree
	HoldLoad                         // Throttle.Load or more processes are runnable
)

func (h HoldReason) String() string {
	switch h {
	case HoldDelay:
		return "delay"
	case HoldRate:
		return "rate"
	case HoldMemory:
		return "memory"
	case HoldLoad:
		return "load"
	}
	return "unknown"
}

// Hold says why starts wait.
type Hold struct {
	Reason HoldReason
	// Have is the figure now and Limit the one it is held against: bytes
	// available and Throttle.MemFree for memory, runnable processes and
	// Throttle.Load for load. Delay and rate leave them zero.
	Have, Limit float64
	Delay       time.Duration // HoldDelay: Throttle.Delay
	Rate        Rate          // HoldRate: Throttle.Rate
	// Wait is how long until the limit is looked at again.
	Wait time.Duration
}

// HoldTimes sums how long starts were held, by the limit that held them.
type HoldTimes struct {
	Delay, Rate, Memory, Load time.Duration
}

// Total is the time starts were held by any limit.
func (h HoldTimes) Total() time.Duration { return h.Delay + h.Rate + h.Memory + h.Load }

func (h *HoldTimes) add(r HoldReason, d time.Duration) {
	switch r {
	case HoldDelay:
		h.Delay += d
	case HoldRate:
		h.Rate += d
	case HoldMemory:
		h.Memory += d
	case HoldLoad:
		h.Load += d
	}
}

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
			src = ProcLoad{Root: "/"}
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

func (t Throttle) clock() Clock {
	if t.Clock == nil {
		return systemClock{}
	}
	return t.Clock
}

func (t Throttle) poll() time.Duration {
	if t.Poll <= 0 {
		return DefaultPoll
	}
	return t.Poll
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

	var shown *Hold // the hold last reported
	since := g.clock.Now()
	defer func() {
		if shown != nil {
			g.emit(Event{Kind: StartsHeld})
		}
	}()
	for {
		select {
		case <-stop:
			return false
		default:
		}
		now := g.clock.Now()
		if shown != nil {
			g.addHeld(shown.Reason, now.Sub(since))
		}
		since = now
		h := g.hold(now)
		if h == nil {
			for _, l := range g.limits {
				l.started(now)
			}
			return true
		}
		if shown == nil || !shown.same(h) {
			g.emit(Event{Kind: StartsHeld, Hold: h})
		}
		shown = h
		select {
		case <-g.clock.After(h.Wait):
		case <-stop:
			g.addHeld(h.Reason, g.clock.Now().Sub(since))
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

// figureLimit holds starts while a figure of the machine, read at each
// look, is on the wrong side of limit: below it for memory, at or above it
// for load. A figure that cannot be read holds nothing.
type figureLimit struct {
	reason HoldReason
	read   func() (float64, error)
	limit  float64
	holds  func(have, limit float64) bool
	poll   time.Duration // when to look again while it holds
}

func (l *figureLimit) hold(time.Time) *Hold {
	have, err := l.read()
	if err != nil || !l.holds(have, l.limit) {
		return nil
	}
	return &Hold{Reason: l.reason, Have: have, Limit: l.limit, Wait: l.poll}
}

func (l *figureLimit) started(time.Time) {}

// delayLimit keeps at least delay between two starts.
type delayLimit struct {
	delay time.Duration
	last  time.Time // zero before the first start
}

func (d *delayLimit) hold(now time.Time) *Hold {
	if d.last.IsZero() {
		return nil
	}
	if left := d.last.Add(d.delay).Sub(now); left > 0 {
		return &Hold{Reason: HoldDelay, Delay: d.delay, Wait: left}
	}
	return nil
}

func (d *delayLimit) started(now time.Time) { d.last = now }

// rateLimit is a token bucket kept as the time at which it is next full
// enough for one start (the generic cell rate algorithm).
type rateLimit struct {
	rate     Rate
	interval time.Duration // between two starts at the sustained rate
	slack    time.Duration // how far ahead of due a start may go: the burst
	due      time.Time
}

func newRateLimit(r Rate) *rateLimit {
	interval := r.Per / time.Duration(r.Starts)
	burst := max(r.Burst, 1)
	return &rateLimit{rate: r, interval: interval, slack: time.Duration(burst-1) * interval}
}

func (l *rateLimit) hold(now time.Time) *Hold {
	if left := l.due.Add(-l.slack).Sub(now); left > 0 {
		return &Hold{Reason: HoldRate, Rate: l.rate, Wait: left}
	}
	return nil
}

func (l *rateLimit) started(now time.Time) {
	if l.due.Before(now) {
		l.due = now
	}
	l.due = l.due.Add(l.interval)
}
