package interrupt

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// Guard stands between one run and the signals that stop it. From Start
// on, a signal marks the run as interrupted (while a regular file is
// validated, so that no job runs); once Begin has handed the engine over,
// signals drive it through the shutdown steps. Notices about them go to
// the console once NoticesTo has named it, and are dropped before. Its
// methods are safe for concurrent use; Stop joins its goroutines.
//
// The Guard also watches SIGTSTP and SIGCONT (pause and resume) and SIGUSR1
// and SIGUSR2 (a slot more or less) for an engine that is a Controller.
type Guard struct {
	hand     handover
	notes    laterNote
	signals  *watcher
	controls *controls
	stopOnce sync.Once
	told     atomic.Pointer[func(Step, os.Signal)]
}

// Start starts watching SIGINT, SIGTERM and SIGHUP for a run whose jobs
// get killGrace between SIGTERM and SIGKILL.
func Start(killGrace fmt.Stringer) *Guard {
	g := &Guard{}
	g.signals = watch(&g.hand, killGrace, g.notes.Note, g.tell)
	g.controls = watchControls(g.notes.Note)
	return g
}

// Tell has f called, from now on, after each shutdown step a signal takes,
// with the step and the signal. f runs on the watching goroutine and must
// not block.
func (g *Guard) Tell(f func(Step, os.Signal)) { g.told.Store(&f) }

func (g *Guard) tell(step Step, sig os.Signal) {
	if f := g.told.Load(); f != nil {
		(*f)(step, sig)
	}
}

// Interrupted reports whether a signal came before the engine was handed
// over.
func (g *Guard) Interrupted() bool { return g.hand.WasInterrupted() }

// Begin hands the engine over, unless a signal came first.
func (g *Guard) Begin(eng Stopper) bool {
	if !g.hand.Start(eng) {
		return false
	}
	g.controls.begin(eng)
	return true
}

// NoticesTo sends the notices from now on to n.
// When n is also a Presenter, pauses and limits are shown through it.
func (g *Guard) NoticesTo(n Noticer) {
	g.notes.Set(n)
	if p, ok := n.(Presenter); ok {
		g.controls.presentTo(p)
	}
}

// Stopping tells the Guard that the run is being stopped otherwise than by
// a signal (its deadline passed): the next signal kills the jobs at once.
func (g *Guard) Stopping() { g.signals.stopping() }

// Note passes a notice for people on, once there is a console.
func (g *Guard) Note(s string) { g.notes.Note(s) }

// Stop ends the watching and returns the first signal received, or nil.
// It may be called more than once.
func (g *Guard) Stop() os.Signal {
	g.stopOnce.Do(g.controls.stop)
	return g.signals.Stop()
}
