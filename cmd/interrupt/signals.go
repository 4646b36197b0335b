// Package interrupt owns what can stop a run from outside: SIGINT, SIGTERM
// and SIGHUP, turned into the shutdown steps of the contract, and the
// reader of drover's stdout going away. It knows neither flags nor exit
// codes.
package interrupt

import (
	"fmt"
	"github.com/drover/drover/runner"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Stopper is what the signal watcher drives: the engine of a run.
type Stopper interface {
	Drain()
	Stop()
	Kill()
	Running() int
}

// watcher turns SIGINT, SIGTERM and SIGHUP into the contract's
// shutdown steps: the first SIGINT drains, SIGTERM, SIGHUP or a second
// SIGINT stops the running jobs, and a third signal kills them. Its one
// goroutine is started by watch and joined by Stop.
type watcher struct {
	sigs     chan os.Signal
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	first    os.Signal // the first signal received, if any
	level    int       // the shutdown steps taken: 1 drained, 2 stopped, 3 killed
	stopOnce sync.Once
}

// watch starts watching. Notices for people go to note; told hears of
// each step taken.
func watch(r Stopper, killGrace fmt.Stringer, note func(string), told func(Step, os.Signal)) *watcher {
	w := &watcher{sigs: make(chan os.Signal, 4), done: make(chan struct{})}
	signal.Notify(w.sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			select {
			case <-w.done:
				return
			case sig := <-w.sigs:
				w.mu.Lock()
				if w.first == nil {
					w.first = sig
				}
				level := w.level
				w.level = min(max(level+1, 2), 3)
				if level == 0 && sig == syscall.SIGINT {
					w.level = 1
				}
				w.mu.Unlock()
				switch {
				case level == 0 && sig == syscall.SIGINT:
					r.Drain()
					told(StepDrain, sig)
					note(fmt.Sprintf("interrupt: no new job will start; waiting for %s to finish (Ctrl-C again stops them)", runner.Plural(r.Running(), "running job")))
				case level <= 1:
					r.Stop()
					told(StepStop, sig)
					note(fmt.Sprintf("%s: stopping %s (SIGTERM, SIGKILL after %s; another signal kills them now)", SignalName(sig), runner.Plural(r.Running(), "running job"), killGrace))
				default:
					r.Kill()
					told(StepKill, sig)
					note(fmt.Sprintf("%s: killing %s now", SignalName(sig), runner.Plural(r.Running(), "running job")))
				}
			}
		}
	}()
	return w
}

// stopping takes the run to the stop step without a signal: the next
// signal kills.
func (w *watcher) stopping() {
	w.mu.Lock()
	w.level = max(w.level, 2)
	w.mu.Unlock()
}

// Stop ends the watching and returns the first signal received, or nil.
// It may be called more than once.
func (w *watcher) Stop() os.Signal {
	w.stopOnce.Do(func() {
		signal.Stop(w.sigs)
		close(w.done)
		w.wg.Wait()
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first
}

// SignalName is the name a signal is shown and recorded under.
func SignalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	case syscall.SIGUSR2:
		return "SIGUSR2"
	case syscall.SIGTSTP:
		return "SIGTSTP"
	}
	return sig.String()
}
