package console

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner"
)

// progressState is what the terminal goroutine knows of the run.
type progressState struct {
	total    int // jobs in the input; -1 while unknown (a stream)
	accepted int
	running  int
	blocked  int // jobs waiting for their needs
	counts   runner.Counts
	start    time.Time
	limit    int    // jobs that may run at once; 0 when not known here (workers decide)
	paused   bool   // the run is paused
	waiting  string // why starts are held (Waiting); "" when they are not
	stopping string // "draining" after the first Ctrl-C, "stopping" after a stop; "" before
}

func (s progressState) done() int { return s.counts.Finished() }

// ProgressView shows progress on stderr. Its methods are called by the
// terminal goroutine only.
type ProgressView interface {
	interval() time.Duration // how often show is called
	show(progressState)
	clear()          // takes the view off the screen before other output
	drawsOver() bool // whether the view redraws over the current line
	finish()
}

// The progress modes.
const (
	ProgressAuto = "auto"
	ProgressBar  = "bar"
	ProgressLog  = "log"
	ProgressNone = "none"
)

// ErrUnknownMode is the error of a mode name that is not one of the
// known ones (of progress, output or colour).
var ErrUnknownMode = errors.New("unknown mode")

// ProgressMode resolves a progress mode: auto draws a bar on a terminal,
// prints a status line every interval under CI, and nothing otherwise.
func ProgressMode(mode string, ios *iostreams.IOStreams) (string, error) {
	if mode == ProgressAuto {
		switch {
		case ios.ErrTTY:
			mode = ProgressBar
		case ios.Getenv("CI") != "":
			mode = ProgressLog
		default:
			mode = ProgressNone
		}
	}
	switch mode {
	case ProgressBar, ProgressLog, ProgressNone:
		return mode, nil
	}
	return "", fmt.Errorf("%w %q (want auto, bar, log or none)", ErrUnknownMode, mode)
}

// NewProgress makes the view of a resolved mode (see ProgressMode). The
// log view prints every interval, which must be positive; the bar counts
// up to total (a spinner while it is -1), within the terminal's width.
func NewProgress(mode string, ios *iostreams.IOStreams, interval time.Duration, total int, color bool) ProgressView {
	switch mode {
	case ProgressBar:
		return newBarView(ios.ErrOut, ios.ErrWidth, color)
	case ProgressLog:
		return &logView{w: ios.ErrOut, every: interval}
	}
	return noView{}
}

type noView struct{}

func (noView) interval() time.Duration { return time.Hour }
func (noView) show(progressState)      {}
func (noView) clear()                  {}
func (noView) drawsOver() bool         { return false }
func (noView) finish()                 {}

// logView prints one status line every interval, for CI logs.
type logView struct {
	w     io.Writer
	every time.Duration
}

func (v *logView) interval() time.Duration { return v.every }
func (v *logView) clear()                  {}
func (v *logView) drawsOver() bool         { return false }
func (v *logView) finish()                 {}

func (v *logView) show(s progressState) {
	c := s.counts
	of := fmt.Sprintf("%d/%d", s.done(), s.total)
	if s.total < 0 {
		of = fmt.Sprintf("%d (of %d read so far)", s.done(), s.accepted)
	}
	line := fmt.Sprintf("drover: %s jobs done: %d succeeded, %d failed, %d timed out; %d running; %s",
		of, c.Succeeded, c.Failed, c.TimedOut, s.running, rate(s))
	if s.blocked > 0 || c.DepFailed > 0 {
		line += fmt.Sprintf("; %d waiting for needs, %d dep_failed", s.blocked, c.DepFailed)
	}
	if eta := eta(s); eta != "" && s.stopping == "" {
		line += "; ETA " + eta
	}
	if s.stopping != "" {
		line += "; " + s.stopping
	}
	if s.paused {
		line += "; paused"
	}
	if s.waiting != "" {
		line += "; waiting: " + s.waiting
	}
	fmt.Fprintln(v.w, line)
}

func rate(s progressState) string {
	elapsed := time.Since(s.start).Seconds()
	if elapsed <= 0 {
		return "0.0 jobs/s"
	}
	return fmt.Sprintf("%.1f jobs/s", float64(s.done())/elapsed)
}

func eta(s progressState) string {
	done := s.done()
	if s.total < 0 || done == 0 || done >= s.total {
		return ""
	}
	left := time.Duration(float64(time.Since(s.start)) / float64(done) * float64(s.total-done))
	return left.Round(time.Second).String()
}
