package runner

import "sync"

// slots numbers the jobs that run at once, 1 to the limit, and bounds how
// many run by a limit that may change while the run goes on. A job keeps
// its slot from the moment it is taken to the moment its result has been
// counted. Its methods are safe for concurrent use.
type slots struct {
	mu      sync.Mutex
	limit   int
	used    []bool // used[i]: slot i+1 is taken; longer than limit after a decrease
	inUse   int
	changed chan struct{} // closed, and replaced, when a slot frees or the limit changes
}

func newSlots(limit int) *slots {
	return &slots{limit: limit, used: make([]bool, limit), changed: make(chan struct{})}
}

// acquire waits until fewer jobs than the limit hold a slot and takes the
// lowest free slot number, from 1 to the limit. It returns false, taking
// nothing, once done closes.
func (s *slots) acquire(done <-chan struct{}) (int, bool) {
	for {
		s.mu.Lock()
		if s.inUse < s.limit {
			// Fewer than limit are taken, so one of 1..limit is free.
			for i := range s.limit {
				if !s.used[i] {
					s.used[i] = true
					s.inUse++
					s.mu.Unlock()
					return i + 1, true
				}
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-done:
			return 0, false
		}
	}
}

// release frees slot n, taken by acquire.
func (s *slots) release(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used[n-1] = false
	s.inUse--
	s.wake()
}

// resize changes the limit by delta, never below 1, and returns the new
// limit. Jobs holding slots above a lowered limit keep them until they end.
func (s *slots) resize(delta int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = max(1, s.limit+delta)
	for len(s.used) < s.limit {
		s.used = append(s.used, false)
	}
	s.wake()
	return s.limit
}

// current returns the limit.
func (s *slots) current() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit
}

// wake tells the waiting acquire calls that something changed; s.mu is held.
func (s *slots) wake() {
	close(s.changed)
	s.changed = make(chan struct{})
}
