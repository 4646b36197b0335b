package interrupt

import (
	"fmt"
	"os"
)

// Guard stands between one run and the signals that stop it. From Start
// on, a signal marks the run as interrupted (while a regular file is
// validated, so that no job runs); once Begin has handed the engine over,
// signals drive it through the shutdown steps. Notices about them go to
// the console once NoticesTo has named it, and are dropped before. Its
// methods are safe for concurrent use; Stop joins its goroutine.
type Guard struct {
	hand    handover
	notes   laterNote
	signals *watcher
}

// Start starts watching SIGINT, SIGTERM and SIGHUP for a run whose jobs
// get killGrace between SIGTERM and SIGKILL.
func Start(killGrace fmt.Stringer) *Guard {
	g := &Guard{}
	g.signals = watch(&g.hand, killGrace, g.notes.Note)
	return g
}

// Interrupted reports whether a signal came before the engine was handed
// over.
func (g *Guard) Interrupted() bool { return g.hand.WasInterrupted() }

// Begin hands the engine over, unless a signal came first.
func (g *Guard) Begin(eng Stopper) bool { return g.hand.Start(eng) }

// NoticesTo sends the notices from now on to n.
func (g *Guard) NoticesTo(n Noticer) { g.notes.Set(n) }

// Note passes a notice for people on, once there is a console.
func (g *Guard) Note(s string) { g.notes.Note(s) }

// Stop ends the watching and returns the first signal received, or nil.
// It may be called more than once.
func (g *Guard) Stop() os.Signal { return g.signals.Stop() }
