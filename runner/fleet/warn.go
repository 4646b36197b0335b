package fleet

import (
	"fmt"
	"sync"
	"time"
)

// warnings limits the lines said of messages that are refused, so that a
// flood of garbage on drover's subjects cannot flood the log: a burst of
// warnBurst lines, then one a second, and a count of those left out.
// Its methods may be called from any goroutine.
type warnings struct {
	mu      sync.Mutex
	tokens  float64
	last    time.Time
	dropped int
	seen    int // lines asked for, said or not
}

const warnBurst = 10

// allow reports whether a line may be said now, and how many were left
// out before it.
func (l *warnings) allow(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = warnBurst
	} else {
		l.tokens = min(warnBurst, l.tokens+now.Sub(l.last).Seconds())
	}
	l.last = now
	l.seen++
	if l.tokens < 1 {
		l.dropped++
		return false, 0
	}
	l.tokens--
	n := l.dropped
	l.dropped = 0
	return true, n
}

// say passes a line to log, when the limit allows it.
func (l *warnings) say(log func(string), format string, args ...any) {
	if log == nil {
		return
	}
	ok, dropped := l.allow(time.Now())
	if !ok {
		return
	}
	s := fmt.Sprintf(format, args...)
	if dropped > 0 {
		s += fmt.Sprintf(" (%d more such lines left out)", dropped)
	}
	log(s)
}

// warn says a refused message in the worker's log.
func (w *Worker) warn(format string, args ...any) { w.warnings.say(w.cfg.Log, format, args...) }
