package cmd

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopper is what the signal watcher drives: the runner.
type stopper interface {
	Drain()
	Stop()
	Kill()
	Running() int
}

// signalWatcher turns SIGINT, SIGTERM and SIGHUP into the contract's
// shutdown steps: the first SIGINT drains, SIGTERM, SIGHUP or a second
// SIGINT stops the running jobs, and a third signal kills them. Its one
// goroutine is started by watchSignals and joined by stop.
type signalWatcher struct {
	sigs     chan os.Signal
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	first    os.Signal // the first signal received, if any
	stopOnce sync.Once
}

// watchSignals starts watching. Notices for people go to note.
func watchSignals(r stopper, killGrace fmt.Stringer, note func(string)) *signalWatcher {
	w := &signalWatcher{sigs: make(chan os.Signal, 4), done: make(chan struct{})}
	signal.Notify(w.sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		level := 0
		for {
			select {
			case <-w.done:
				return
			case sig := <-w.sigs:
				w.mu.Lock()
				if w.first == nil {
					w.first = sig
				}
				w.mu.Unlock()
				switch {
				case level == 0 && sig == syscall.SIGINT:
					level = 1
					r.Drain()
					note(fmt.Sprintf("interrupt: no new job will start; waiting for %s to finish (Ctrl-C again stops them)", plural(r.Running(), "running job")))
				case level <= 1:
					level = 2
					r.Stop()
					note(fmt.Sprintf("%s: stopping %s (SIGTERM, SIGKILL after %s; another signal kills them now)", signalName(sig), plural(r.Running(), "running job"), killGrace))
				default:
					r.Kill()
					note(fmt.Sprintf("%s: killing %s now", signalName(sig), plural(r.Running(), "running job")))
				}
			}
		}
	}()
	return w
}

// stop ends the watching and returns the first signal received, or nil.
// It may be called more than once.
func (w *signalWatcher) stop() os.Signal {
	w.stopOnce.Do(func() {
		signal.Stop(w.sigs)
		close(w.done)
		w.wg.Wait()
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}

// signalExitCode is the exit code for a run interrupted by sig.
func signalExitCode(sig os.Signal) int {
	switch sig {
	case syscall.SIGINT:
		return exitSIGINT
	case syscall.SIGHUP:
		return exitSIGHUP
	}
	return exitSIGTERM
}

// handover is the stopper the signal watcher drives from the moment drover
// starts: until the run begins (while a regular file is validated) a signal
// only marks the run as interrupted, and the run is not started; once the
// runner is handed over, signals go to it. Its methods are safe for
// concurrent use.
type handover struct {
	mu          sync.Mutex
	r           stopper
	interrupted bool
}

func (h *handover) to(f func(stopper)) {
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

func (h *handover) Drain() { h.to(stopper.Drain) }
func (h *handover) Stop()  { h.to(stopper.Stop) }
func (h *handover) Kill()  { h.to(stopper.Kill) }

func (h *handover) Running() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.r == nil {
		return 0
	}
	return h.r.Running()
}

// wasInterrupted reports whether a signal came before the run began.
func (h *handover) wasInterrupted() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.interrupted
}

// start hands the runner over, unless a signal came first.
func (h *handover) start(r stopper) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.interrupted {
		return false
	}
	h.r = r
	return true
}

// laterNote passes notices to a terminal once there is one; before, the
// run has not begun and there is nothing to say.
type laterNote struct {
	mu   sync.Mutex
	term *terminal
}

func (n *laterNote) note(s string) {
	n.mu.Lock()
	t := n.term
	n.mu.Unlock()
	if t != nil {
		t.notice(s)
	}
}

func (n *laterNote) set(t *terminal) {
	n.mu.Lock()
	n.term = t
	n.mu.Unlock()
}
