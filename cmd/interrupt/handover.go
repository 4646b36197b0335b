package interrupt

import "sync"

// handover is the Stopper the signal watcher drives from the moment drover
// starts: until the run begins (while a regular file is validated) a signal
// only marks the run as interrupted, and the run is not started; once the
// runner is handed over, signals go to it. Its methods are safe for
// concurrent use.
type handover struct {
	mu          sync.Mutex
	r           Stopper
	interrupted bool
}

func (h *handover) to(f func(Stopper)) {
	h.mu.Lock()
	r := h.r
	if r == nil {
		h.interrupted = true
	}
	h.mu.Unlock()
	if r != nil {
		f(r)
	}
}

// Drain, Stop and Kill go to the engine, or mark the run interrupted
// before it has begun.
func (h *handover) Drain() { h.to(Stopper.Drain) }
func (h *handover) Stop()  { h.to(Stopper.Stop) }
func (h *handover) Kill()  { h.to(Stopper.Kill) }

// Running is the number of running jobs of the engine, once there is one.
func (h *handover) Running() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.r == nil {
		return 0
	}
	return h.r.Running()
}

// WasInterrupted reports whether a signal came before the run began.
func (h *handover) WasInterrupted() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.interrupted
}

// Start hands the engine over, unless a signal came first.
func (h *handover) Start(r Stopper) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.interrupted {
		return false
	}
	h.r = r
	return true
}

// Noticer prints a notice for people: the console.
type Noticer interface{ Notice(string) }

// laterNote passes notices to a terminal once there is one; before, the
// run has not begun and there is nothing to say. Its methods are safe for
// concurrent use.
type laterNote struct {
	mu   sync.Mutex
	term Noticer
}

// Note passes s on to the terminal, if there is one yet.
func (n *laterNote) Note(s string) {
	n.mu.Lock()
	t := n.term
	n.mu.Unlock()
	if t != nil {
		t.Notice(s)
	}
}

// Set gives the terminal notices go to from now on.
func (n *laterNote) Set(t Noticer) {
	n.mu.Lock()
	n.term = t
	n.mu.Unlock()
}
