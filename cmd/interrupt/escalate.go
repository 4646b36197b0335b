package interrupt

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Step is a shutdown step that a signal asks for.
type Step int

// The steps Escalate takes, one per signal.
const (
	StepDrain Step = iota + 1 // take no new job; let the running ones finish
	StepStop                  // stop the running jobs
	StepKill                  // kill them now
)

// Escalate drives r one shutdown step further on every SIGINT, SIGTERM or
// SIGHUP, whichever it is: the first drains, the second stops, the third
// and later kill. After each step, told is called with the step and the
// signal. Its one goroutine is joined by the returned stop.
func Escalate(r Stopper, told func(Step, os.Signal)) (stop func()) {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for step := StepDrain; ; {
			select {
			case <-done:
				return
			case sig := <-sigs:
				switch step {
				case StepDrain:
					r.Drain()
				case StepStop:
					r.Stop()
				default:
					r.Kill()
				}
				told(step, sig)
				step = min(step+1, StepKill)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		signal.Stop(sigs)
	}
}
