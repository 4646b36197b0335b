package interrupt

import "testing"

// fakeStopper records what the signal watcher asked of it.
type fakeStopper struct{ drained, stopped int }

func (f *fakeStopper) Drain()       { f.drained++ }
func (f *fakeStopper) Stop()        { f.stopped++ }
func (f *fakeStopper) Kill()        {}
func (f *fakeStopper) Running() int { return 7 }

func TestHandoverBeforeAndAfterTheRunStarts(t *testing.T) {
	h := &handover{}
	if h.WasInterrupted() || h.Running() != 0 {
		t.Fatal("fresh handover interrupted")
	}
	h.Drain() // a Ctrl-C while the input is validated
	r := &fakeStopper{}
	if !h.WasInterrupted() || h.Start(r) {
		t.Fatal("the run starts after a signal")
	}

	h = &handover{}
	if !h.Start(r) {
		t.Fatal("the run does not start")
	}
	h.Drain()
	h.Stop()
	if r.drained != 1 || r.stopped != 1 || h.Running() != 7 || h.WasInterrupted() {
		t.Errorf("signals did not reach the runner: %+v", r)
	}
}
