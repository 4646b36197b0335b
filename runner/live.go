package runner

import (
	"context"
	"sync"
)

// liveAttempts tracks the attempts running now, in the order they started,
// so that the youngest can be stopped. Its methods may be called from any
// goroutine; the mutex is never held across a blocking call.
type liveAttempts struct {
	mu   sync.Mutex
	seq  uint64
	live map[uint64]liveAttempt
}

type liveAttempt struct {
	stop  context.CancelCauseFunc
	ended chan struct{} // closed when the attempt's untrack runs
}

// track returns a context for one attempt, which stopYoungest can end,
// and the function to call once the attempt has ended.
func (l *liveAttempts) track(ctx context.Context) (context.Context, func()) {
	ctx, stop := context.WithCancelCause(ctx)
	a := liveAttempt{stop: stop, ended: make(chan struct{})}
	l.mu.Lock()
	if l.live == nil {
		l.live = map[uint64]liveAttempt{}
	}
	l.seq++
	n := l.seq
	l.live[n] = a
	l.mu.Unlock()
	return ctx, func() {
		l.mu.Lock()
		delete(l.live, n)
		l.mu.Unlock()
		stop(nil)
		close(a.ended)
	}
}

// stopYoungest ends the context of the attempt that started last, with
// cause, and returns a channel closed once that attempt has ended; false
// when no attempt runs.
func (l *liveAttempts) stopYoungest(cause error) (<-chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var youngest uint64
	for n := range l.live {
		youngest = max(youngest, n)
	}
	a, ok := l.live[youngest]
	if !ok {
		return nil, false
	}
	a.stop(cause)
	return a.ended, true
}
