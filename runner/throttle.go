package runner

import (
	"errors"
	"fmt"
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
	// platform's own: the /proc and cgroup files on Linux, sysctl on
	// darwin and FreeBSD.
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
