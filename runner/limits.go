package runner

import "time"

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
