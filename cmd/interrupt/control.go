package interrupt

import (
	"fmt"
	"github.com/drover/drover/runner"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Controller is an engine whose run can be paused and whose number of
// slots can change while it runs: the local runner. A fleet submitter is
// not one: its jobs run on workers, which decide both.
type Controller interface {
	Pause()
	Resume()
	Resize(delta int) int
}

// Presenter shows a run's pauses and its limit: the console. Paused
// returns once the change is on the screen.
type Presenter interface {
	Paused(on bool, notice string)
	Limit(n int, notice string)
}

// controls turns SIGTSTP, SIGCONT, SIGUSR1 and SIGUSR2 into a run's pause,
// resume and slot changes. SIGTSTP pauses the run (a Controller's) and
// then stops drover itself with SIGSTOP; SIGCONT, which continues drover,
// resumes the run. SIGUSR1 adds a slot, SIGUSR2 takes one away. Its one
// goroutine is started by watchControls and joined by stop.
type controls struct {
	sigs     chan os.Signal
	done     chan struct{}
	wg       sync.WaitGroup
	stopSelf func() // stops drover until SIGCONT

	mu      sync.Mutex
	eng     Stopper   // nil until the run begins
	pres    Presenter // nil until there is a console
	pending int       // slots added (or, below 0, removed) before the run began
}

func watchControls(note func(string)) *controls {
	c := &controls{sigs: make(chan os.Signal, 4), done: make(chan struct{}), stopSelf: stopSelf}
	signal.Notify(c.sigs, syscall.SIGTSTP, syscall.SIGCONT, syscall.SIGUSR1, syscall.SIGUSR2)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		paused := false
		for {
			select {
			case <-c.done:
				return
			case sig := <-c.sigs:
				paused = c.handle(sig, paused, note)
			}
		}
	}()
	return c
}

// handle acts on one signal and returns whether the run is now paused.
func (c *controls) handle(sig os.Signal, paused bool, note func(string)) bool {
	c.mu.Lock()
	eng, pres := c.eng, c.pres
	ctl, _ := eng.(Controller)
	if eng == nil && (sig == syscall.SIGUSR1 || sig == syscall.SIGUSR2) {
		c.pending += slotDelta(sig)
	}
	c.mu.Unlock()
	show := func(on bool, s string) {
		if pres != nil {
			pres.Paused(on, s)
		} else {
			note(s)
		}
	}
	switch {
	case sig == syscall.SIGTSTP && ctl != nil && !paused:
		ctl.Pause()
		show(true, fmt.Sprintf("paused: %s stopped (SIGSTOP); fg or SIGCONT resumes", runner.Plural(eng.Running(), "running job")))
		c.stopSelf()
		return true
	case sig == syscall.SIGTSTP:
		if eng != nil && ctl == nil {
			note("SIGTSTP: the jobs run on the workers and go on; only drover stops (fg or SIGCONT continues it)")
		}
		c.stopSelf()
	case sig == syscall.SIGCONT && paused:
		ctl.Resume()
		show(false, "resumed: the jobs continue (SIGCONT) and new ones start")
		return false
	case sig == syscall.SIGUSR1 || sig == syscall.SIGUSR2:
		switch {
		case ctl != nil:
			n := ctl.Resize(slotDelta(sig))
			s := fmt.Sprintf("%s: up to %d jobs run at once now", SignalName(sig), n)
			if n == 1 {
				s = fmt.Sprintf("%s: up to 1 job runs at once now", SignalName(sig))
			}
			if pres != nil {
				pres.Limit(n, s)
			} else {
				note(s)
			}
		case eng != nil:
			note(fmt.Sprintf("%s: the workers' -j sets how many jobs run at once; nothing changed", SignalName(sig)))
		}
	}
	return paused
}

// begin hands the engine over, with the slot changes asked for before.
func (c *controls) begin(eng Stopper) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.eng = eng
	if ctl, ok := eng.(Controller); ok && c.pending != 0 {
		ctl.Resize(c.pending)
	}
	c.pending = 0
}

func (c *controls) presentTo(p Presenter) {
	c.mu.Lock()
	c.pres = p
	c.mu.Unlock()
}

// stop ends the watching; it is called once.
func (c *controls) stop() {
	signal.Stop(c.sigs)
	close(c.done)
	c.wg.Wait()
}

func slotDelta(sig os.Signal) int {
	if sig == syscall.SIGUSR2 {
		return -1
	}
	return +1
}

// stopSelf stops drover, as SIGTSTP's default action would; SIGCONT
// continues it. SIGSTOP, unlike a SIGTSTP raised again, also stops a
// process whose process group is orphaned.
func stopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }
