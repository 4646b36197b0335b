package interrupt

import (
	"os"
	"syscall"
	"testing"
)

type countingStopper struct{ drained, stopped, killed int }

func (c *countingStopper) Drain()       { c.drained++ }
func (c *countingStopper) Stop()        { c.stopped++ }
func (c *countingStopper) Kill()        { c.killed++ }
func (c *countingStopper) Running() int { return 0 }

// Every signal, whichever it is, takes one step further; the steps after
// the third kill again.
func TestEscalateTakesOneStepPerSignal(t *testing.T) {
	r := &countingStopper{}
	told := make(chan Step)
	stop := Escalate(r, func(s Step, _ os.Signal) { told <- s })
	defer stop()
	for i, want := range []Step{StepDrain, StepStop, StepKill, StepKill} {
		sig := []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP}[i]
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		if got := <-told; got != want {
			t.Fatalf("signal %d: step %d, want %d", i+1, got, want)
		}
	}
	if r.drained != 1 || r.stopped != 1 || r.killed != 2 {
		t.Errorf("%+v", r)
	}
}
