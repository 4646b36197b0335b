package interrupt

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// fakeController records what the controls asked of it.
type fakeController struct {
	fakeStopper
	calls []string
	limit int
}

func (f *fakeController) Pause()  { f.calls = append(f.calls, "pause") }
func (f *fakeController) Resume() { f.calls = append(f.calls, "resume") }
func (f *fakeController) Resize(d int) int {
	f.limit = max(1, f.limit+d)
	f.calls = append(f.calls, fmt.Sprintf("resize %+d", d))
	return f.limit
}

type fakePresenter struct{ shown []string }

func (p *fakePresenter) Paused(on bool, s string) { p.shown = append(p.shown, fmt.Sprint(on, " ", s)) }
func (p *fakePresenter) Limit(n int, s string)    { p.shown = append(p.shown, fmt.Sprint(n, " ", s)) }

func newTestControls() (*controls, *[]string) {
	stops := &[]string{}
	return &controls{stopSelf: func() { *stops = append(*stops, "stop") }}, stops
}

func TestPauseResumeAndSlots(t *testing.T) {
	c, stops := newTestControls()
	var notes []string
	note := func(s string) { notes = append(notes, s) }

	// Before the run begins: a SIGUSR1 waits for it, Ctrl-Z stops drover only.
	c.handle(syscall.SIGUSR1, false, note)
	if c.handle(syscall.SIGTSTP, false, note) || len(*stops) != 1 {
		t.Fatalf("before the run: paused, or %d stops", len(*stops))
	}
	ctl := &fakeController{limit: 2}
	pres := &fakePresenter{}
	c.begin(ctl)
	c.presentTo(pres)
	if ctl.limit != 3 {
		t.Fatalf("limit %d after a SIGUSR1 before the run began, want 3", ctl.limit)
	}

	paused := c.handle(syscall.SIGTSTP, false, note)
	if !paused || len(*stops) != 2 {
		t.Fatalf("paused %v, %d stops", paused, len(*stops))
	}
	paused = c.handle(syscall.SIGCONT, paused, note)
	if paused = c.handle(syscall.SIGCONT, paused, note); paused { // not paused: nothing to resume
		t.Fatal("paused after SIGCONT")
	}
	for range 3 {
		c.handle(syscall.SIGUSR2, false, note)
	}
	c.handle(syscall.SIGUSR1, false, note)
	want := "resize +1,pause,resume,resize -1,resize -1,resize -1,resize +1"
	if got := strings.Join(ctl.calls, ","); got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
	wantShown := []string{
		"true paused: 7 running jobs stopped (SIGSTOP); fg or SIGCONT resumes",
		"false resumed: the jobs continue (SIGCONT) and new ones start",
		"2 SIGUSR2: up to 2 jobs run at once now",
		"1 SIGUSR2: up to 1 job runs at once now",
		"1 SIGUSR2: up to 1 job runs at once now",
		"2 SIGUSR1: up to 2 jobs run at once now",
	}
	if got, want := strings.Join(pres.shown, "\n"), strings.Join(wantShown, "\n"); got != want {
		t.Errorf("shown:\n%s\nwant:\n%s", got, want)
	}
	if len(notes) != 0 {
		t.Errorf("notes %q", notes)
	}
}

// An engine that is no Controller (a fleet submitter): the signals change
// nothing and say so; Ctrl-Z stops drover only.
func TestControlsWithoutAController(t *testing.T) {
	c, stops := newTestControls()
	var notes []string
	c.begin(&fakeStopper{})
	if c.handle(syscall.SIGTSTP, false, func(s string) { notes = append(notes, s) }) || len(*stops) != 1 {
		t.Fatal("paused an engine that cannot pause")
	}
	c.handle(syscall.SIGUSR1, false, func(s string) { notes = append(notes, s) })
	if len(notes) != 2 || !strings.Contains(notes[0], "only drover stops") || !strings.Contains(notes[1], "nothing changed") {
		t.Errorf("notes %q", notes)
	}
}
