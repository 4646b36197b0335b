package runner

import (
	"sync/atomic"
	"testing"
	"time"
)

// waitAsync runs g.wait in a goroutine and returns where its answer goes.
func waitAsync(g *gate, stop <-chan struct{}) <-chan bool {
	c := make(chan bool, 1)
	go func() { c <- g.wait(stop) }()
	return c
}

func newTestGate(t *testing.T, th Throttle) (*gate, chan Event) {
	t.Helper()
	events := make(chan Event, 100)
	g, err := newGate(th, func(ev Event) { events <- ev })
	if err != nil {
		t.Fatal(err)
	}
	return g, events
}

func TestNoThrottleNoGate(t *testing.T) {
	g, err := newGate(Throttle{}, nil)
	if err != nil || g != nil {
		t.Fatalf("gate %v, err %v", g, err)
	}
	if !g.wait(nil) || g.heldTimes() != (HoldTimes{}) {
		t.Fatal("a nil gate holds")
	}
}

func TestDelayBetweenStarts(t *testing.T) {
	clock := newFakeClock()
	g, events := newTestGate(t, Throttle{Delay: time.Second, Clock: clock})
	if !g.wait(nil) {
		t.Fatal("the first start waits")
	}
	second := waitAsync(g, nil)
	if d := <-clock.waits; d != time.Second {
		t.Fatalf("second start waits %s, want 1s", d)
	}
	if ev := <-events; ev.Kind != StartsHeld || ev.Hold.Reason != HoldDelay || ev.Hold.Delay != time.Second {
		t.Fatalf("event %+v", ev)
	}
	clock.Advance(999 * time.Millisecond)
	select {
	case <-second:
		t.Fatal("started before the delay passed")
	default:
	}
	clock.Advance(time.Millisecond)
	if !<-second {
		t.Fatal("second start refused")
	}
	if ev := <-events; ev.Kind != StartsHeld || ev.Hold != nil {
		t.Fatalf("no event that starts go again: %+v", ev)
	}
	if h := g.heldTimes(); h.Delay != time.Second || h.Total() != time.Second {
		t.Fatalf("held %+v", h)
	}
	// Long after the last start, the next goes at once.
	clock.Advance(time.Hour)
	if !g.wait(nil) {
		t.Fatal("refused")
	}
}

func TestRateTokenBucket(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name   string
		rate   Rate
		starts []int // when each start is asked for, in ms
		want   []int // when each start may go, in ms
	}{
		{"5/s burst 1", Rate{Starts: 5, Per: time.Second}, []int{0, 0, 0, 0}, []int{0, 200, 400, 600}},
		{"slower than the rate", Rate{Starts: 5, Per: time.Second}, []int{0, 500, 1000}, []int{0, 500, 1000}},
		{"30/m", Rate{Starts: 30, Per: time.Minute}, []int{0, 0}, []int{0, 2000}},
		{"burst 3", Rate{Starts: 5, Per: time.Second, Burst: 3}, []int{0, 0, 0, 0, 0}, []int{0, 0, 0, 200, 400}},
		{"burst refills", Rate{Starts: 5, Per: time.Second, Burst: 3}, []int{0, 0, 0, 10000, 10000, 10000, 10000}, []int{0, 0, 0, 10000, 10000, 10000, 10200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newRateLimit(tt.rate)
			for i, ask := range tt.starts {
				now := at(max(ask, 0))
				if i > 0 {
					// a start is asked for no earlier than the last went
					now = at(max(ask, tt.want[i-1]))
				}
				if h := l.hold(now); h != nil {
					if h.Reason != HoldRate || h.Rate != tt.rate {
						t.Fatalf("hold %+v", h)
					}
					now = now.Add(h.Wait)
					if l.hold(now) != nil {
						t.Fatalf("start %d still held after the wait it was given", i)
					}
				}
				if got := int(now.Sub(start) / time.Millisecond); got != tt.want[i] {
					t.Fatalf("start %d went at %dms, want %dms", i, got, tt.want[i])
				}
				l.started(now)
			}
		})
	}
}

func TestRateString(t *testing.T) {
	for r, want := range map[Rate]string{
		{Starts: 5, Per: time.Second}:           "5/s",
		{Starts: 30, Per: time.Minute}:          "30/m",
		{Starts: 2, Per: 10 * time.Second}:      "2/10s",
		{Starts: 100, Per: time.Hour, Burst: 1}: "100/h",
	} {
		if got := r.String(); got != want {
			t.Errorf("%+v: %q, want %q", r, got, want)
		}
	}
}

// fakeMemory is a MemorySource whose figure a test sets.
type fakeMemory struct{ avail atomic.Int64 }

func (m *fakeMemory) Available() (int64, error) { return m.avail.Load(), nil }

// fakeLoad is a LoadSource whose figure a test sets.
type fakeLoad struct{ n atomic.Int64 }

func (l *fakeLoad) Runnable() (float64, error) { return float64(l.n.Load()), nil }

func TestMemoryHoldsStarts(t *testing.T) {
	clock := newFakeClock()
	mem := &fakeMemory{}
	mem.avail.Store(1 << 30)
	g, events := newTestGate(t, Throttle{MemFree: 2 << 30, Memory: mem, Clock: clock, Poll: time.Second})
	started := waitAsync(g, nil)
	if d := <-clock.waits; d != time.Second {
		t.Fatalf("polls every %s, want 1s", d)
	}
	ev := <-events
	if ev.Hold == nil || ev.Hold.Reason != HoldMemory || ev.Hold.Have != 1<<30 || ev.Hold.Limit != 2<<30 {
		t.Fatalf("event %+v", ev)
	}
	// A figure that barely moves is not reported again.
	mem.avail.Store(1<<30 + 1<<20)
	clock.Advance(time.Second)
	<-clock.waits
	mem.avail.Store(3 << 30)
	clock.Advance(time.Second)
	if !<-started {
		t.Fatal("refused")
	}
	if ev := <-events; ev.Hold != nil {
		t.Fatalf("reported again: %+v", ev.Hold)
	}
	if h := g.heldTimes(); h.Memory != 2*time.Second {
		t.Fatalf("held %+v", h)
	}
}

func TestLoadHoldsStarts(t *testing.T) {
	clock := newFakeClock()
	load := &fakeLoad{}
	load.n.Store(4)
	g, events := newTestGate(t, Throttle{Load: 4, Processes: load, Clock: clock})
	started := waitAsync(g, nil)
	if d := <-clock.waits; d != DefaultPoll {
		t.Fatalf("polls every %s", d)
	}
	if ev := <-events; ev.Hold == nil || ev.Hold.Reason != HoldLoad || ev.Hold.Have != 4 || ev.Hold.Limit != 4 {
		t.Fatalf("event %+v", ev)
	}
	load.n.Store(3)
	clock.Advance(DefaultPoll)
	if !<-started {
		t.Fatal("refused")
	}
	if h := g.heldTimes(); h.Load != DefaultPoll {
		t.Fatalf("held %+v", h)
	}
}

func TestStopEndsAWait(t *testing.T) {
	clock := newFakeClock()
	mem := &fakeMemory{} // never any memory
	g, _ := newTestGate(t, Throttle{MemFree: 1, Memory: mem, Clock: clock})
	stop := make(chan struct{})
	first, second := waitAsync(g, stop), waitAsync(g, stop) // one polls, one waits for its turn
	<-clock.waits
	close(stop)
	if <-first || <-second {
		t.Fatal("a start went ahead after stop")
	}
	// A stop already given ends a wait before it begins.
	if g.wait(stop) {
		t.Fatal("started")
	}
}

func TestFirstHoldingLimitSaysWhy(t *testing.T) {
	clock := newFakeClock()
	mem, load := &fakeMemory{}, &fakeLoad{}
	mem.avail.Store(10)
	load.n.Store(9)
	g, events := newTestGate(t, Throttle{MemFree: 100, Memory: mem, Load: 2, Processes: load, Delay: time.Minute, Clock: clock})
	started := waitAsync(g, nil)
	<-clock.waits
	if ev := <-events; ev.Hold.Reason != HoldMemory {
		t.Fatalf("held by %s", ev.Hold.Reason)
	}
	mem.avail.Store(1000)
	clock.Advance(DefaultPoll)
	<-clock.waits
	if ev := <-events; ev.Hold.Reason != HoldLoad {
		t.Fatalf("held by %s", ev.Hold.Reason)
	}
	load.n.Store(0)
	clock.Advance(DefaultPoll)
	<-started
	if h := g.heldTimes(); h.Memory != DefaultPoll || h.Load != DefaultPoll || h.Total() != 2*DefaultPoll {
		t.Fatalf("held %+v", h)
	}
}

func TestThrottleChecks(t *testing.T) {
	for _, th := range []Throttle{
		{Delay: -1},
		{Rate: Rate{Starts: 1}},
		{Rate: Rate{Starts: -1, Per: time.Second}},
		{MemFree: -1},
		{Load: -1},
		{MemFree: 1, Memory: failingMemory{}},
	} {
		if _, err := newGate(th, nil); err == nil {
			t.Errorf("%+v accepted", th)
		}
	}
}

type failingMemory struct{}

func (failingMemory) Available() (int64, error) { return 0, errFake }

// A figure that drifts a little at each look is reported again once it
// has moved more than 1% of the limit from what was last reported.
func TestDriftingFigureIsReportedAgain(t *testing.T) {
	clock := newFakeClock()
	mem := &fakeMemory{}
	mem.avail.Store(1000)
	g, events := newTestGate(t, Throttle{MemFree: 10000, Memory: mem, Clock: clock})
	started := waitAsync(g, nil)
	<-clock.waits
	if ev := <-events; ev.Hold.Have != 1000 {
		t.Fatalf("event %+v", ev.Hold)
	}
	for _, have := range []int64{1060, 1120} { // 0.6% of the limit each
		mem.avail.Store(have)
		clock.Advance(DefaultPoll)
		<-clock.waits
	}
	select {
	case ev := <-events:
		if ev.Hold == nil || ev.Hold.Have != 1120 {
			t.Fatalf("event %+v", ev.Hold)
		}
	default:
		t.Fatal("a drift of 1.2% was not reported")
	}
	mem.avail.Store(20000)
	clock.Advance(DefaultPoll)
	<-started
}
