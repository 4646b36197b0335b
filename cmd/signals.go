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
	sigs  chan os.Signal
	done  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	first os.Signal // the first signal received, if any
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
func (w *signalWatcher) stop() os.Signal {
	signal.Stop(w.sigs)
	close(w.done)
	w.wg.Wait()
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
