package console

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// MaxListedFailures is how many failed jobs the summary lists.
const MaxListedFailures = 20

// Failure is what the summary shows of one failed or timed-out job.
type Failure struct {
	Result *runner.Result
	Tail   []byte // the last of its stderr
}

// terminal is the one goroutine that writes to drover's stdout and stderr
// while jobs run: job output, notices and progress all pass through it, so
// no two writers race and the progress bar is cleared before anything is
// written above it. Loop runs in that goroutine; Notice and the chunk
// channel may be used from any goroutine until Loop has returned;
// Failures and OutErr may be read once Loop has returned.
type terminal struct {
	ios      *iostreams.IOStreams
	opts     Options
	onClosed func() // called once when drover's stdout is found closed

	notes    chan string
	controls chan control
	chunks   chan chunk
	done     chan struct{}

	// Owned by the loop goroutine.
	failures []Failure
	outErr   error          // the first error writing drover's own stdout
	lost     int            // jobs whose output was not written whole
	stopped  bool           // onClosed was called
	order    []*jobspec.Job // KeepOrder: accepted jobs not yet written
	held     map[*jobspec.Job]*runner.Result
	state    progressState
	shown    bool // the progress view has been shown once
	wrote    bool // something was written since the view was last shown

	stopping *atomic.Value // string: how the run is being stopped (Console.Stopping); may be nil
}

// newTerminal makes the terminal; the sinks send it output on chunks.
func newTerminal(ios *iostreams.IOStreams, opts Options, chunks chan chunk, total int, onClosed func()) *terminal {
	return &terminal{
		ios: ios, opts: opts, onClosed: onClosed,
		notes: make(chan string), controls: make(chan control), chunks: chunks, done: make(chan struct{}),
		held:  map[*jobspec.Job]*runner.Result{},
		state: progressState{total: total, start: time.Now(), limit: opts.Limit},
	}
}

// Notice prints a line for people on stderr, unless the loop has ended.
func (t *terminal) Notice(s string) {
	select {
	case t.notes <- s:
	case <-t.done:
	}
}

// control is a change of how the run goes, to be shown: a pause or a
// resume, or a new limit, with a notice. shown is closed once it is.
type control struct {
	paused *bool // nil: unchanged
	limit  int   // 0: unchanged
	note   string
	shown  chan struct{}
}

// control shows c and returns once it is on the screen, or the loop has
// ended.
func (t *terminal) control(c control) {
	c.shown = make(chan struct{})
	select {
	case t.controls <- c:
	case <-t.done:
		return
	}
	select {
	case <-c.shown:
	case <-t.done:
	}
}

// Loop handles events until the runner closes the channel.
func (t *terminal) Loop(events <-chan runner.Event) {
	defer close(t.done)
	tick := time.NewTicker(t.opts.Progress.interval())
	defer tick.Stop()
	for {
		select {
		case s := <-t.notes:
			t.write(t.ios.ErrOut, []byte("drover: "+termtext.EscapeMessage(s)+"\n"))
		case c := <-t.chunks:
			t.writeJob(c.id, c.dst, c.data)
			c.release()
		case c := <-t.controls:
			if c.paused != nil {
				t.state.paused = *c.paused
			}
			if c.limit > 0 {
				t.state.limit = c.limit
			}
			if c.note != "" {
				t.write(t.ios.ErrOut, []byte("drover: "+termtext.EscapeMessage(c.note)+"\n"))
			}
			t.show()
			close(c.shown)
		case <-tick.C:
			t.show()
		case ev, ok := <-events:
			if !ok {
				for _, job := range t.order { // jobs that never started hold nothing
					if res := t.held[job]; res != nil {
						t.writeResult(res)
					}
				}
				t.opts.Progress.finish()
				return
			}
			t.handle(ev)
		}
		if t.wrote && t.shown && t.opts.Progress.drawsOver() {
			t.show() // at once: the bar is on the screen whenever jobs run
		}
	}
}

// show shows the progress view.
func (t *terminal) show() {
	if t.stopping != nil {
		if s, _ := t.stopping.Load().(string); s != "" {
			t.state.stopping = s
		}
	}
	t.opts.Progress.show(t.state)
	t.shown, t.wrote = true, false
}

// Failures are the failed and timed-out jobs the summary lists.
func (t *terminal) Failures() []Failure { return t.failures }

// OutErr is the first error writing drover's own stdout, if any.
func (t *terminal) OutErr() error { return t.outErr }

func (t *terminal) handle(ev runner.Event) {
	t.state.running = ev.Running
	t.state.blocked = ev.Waiting
	switch ev.Kind {
	case runner.JobAccepted:
		t.state.accepted++
		if t.opts.KeepOrder {
			t.order = append(t.order, ev.Job)
		}
	case runner.DeadlinePassed:
		how := ""
		if t.opts.KillGrace > 0 {
			how = fmt.Sprintf(" (SIGTERM, SIGKILL after %s)", t.opts.KillGrace)
		}
		if ev.Running == 0 {
			t.write(t.ios.ErrOut, fmt.Appendf(nil, "drover: the deadline (%s) passed: no job will start\n", t.opts.Deadline))
		} else {
			t.write(t.ios.ErrOut, fmt.Appendf(nil, "drover: the deadline (%s) passed: stopping %s%s\n", t.opts.Deadline, runner.Plural(ev.Running, "running job"), how))
		}
		if t.opts.OnDeadline != nil {
			t.opts.OnDeadline()
		}
		t.state.stopping = "stopping"
	case runner.IntakeFailed:
		waiting := ""
		if ev.Running > 0 {
			waiting = fmt.Sprintf("; waiting for %s to finish", runner.Plural(ev.Running, "running job"))
		}
		t.write(t.ios.ErrOut, fmt.Appendf(nil, "drover: %s\ndrover: no new job will start%s\n", termtext.EscapeMessage(ev.Err.Error()), waiting))
		t.state.stopping = "draining"
	case runner.IntakeStopped:
		if t.state.stopping == "" {
			t.state.stopping = "draining" // no job starts any more
		}
	case runner.AttemptRetrying:
		if !t.opts.Quiet {
			t.write(t.ios.ErrOut, fmt.Appendf(nil, "drover: job %s: attempt %d failed (%s); retrying in %s\n",
				Label(ev.Job), ev.Attempt, termtext.EscapeMessage(fmt.Sprint(ev.Failure)), ev.Delay.Round(time.Millisecond)))
		}
	case runner.StartsHeld:
		t.state.waiting = Waiting(ev.Hold)
	case runner.JobRequeued:
		if !t.opts.Quiet {
			t.write(t.ios.ErrOut, []byte(termtext.EscapeMessage(requeueNotice(ev))))
		}
	case runner.JobFinished:
		res := ev.Result
		t.state.counts = ev.Counts
		if (res.Status == runner.Failed || res.Status == runner.TimedOut) && len(t.failures) < MaxListedFailures {
			t.failures = append(t.failures, Failure{Result: res, Tail: res.StderrTail})
		}
		if !t.opts.KeepOrder {
			t.writeResult(res)
			return
		}
		t.held[res.Job] = res
		if len(t.order) > 0 && t.order[0] != res.Job {
			if g, ok := modeOutput(res.Output).(*groupOutput); ok {
				g.park() // waits for its turn on disk, not in memory
			}
		}
		for len(t.order) > 0 && t.held[t.order[0]] != nil {
			t.writeResult(t.held[t.order[0]])
			delete(t.held, t.order[0])
			t.order = t.order[1:]
		}
	}
}

// modeOutput is the output of the output mode inside a JobOutput, under
// what the output directory adds.
func modeOutput(out runner.JobOutput) runner.JobOutput {
	if s, ok := out.(*savedOutput); ok {
		return s.JobOutput
	}
	return out
}

// writeResult writes what a finished job's output still holds and releases
// it.
func (t *terminal) writeResult(res *runner.Result) {
	if s, ok := res.Output.(*savedOutput); ok {
		if err := s.closeFiles(); err != nil {
			t.lose(res.Job.ID, err)
		}
	}
	switch o := modeOutput(res.Output).(type) {
	case *groupOutput:
		if o.out.Len()+o.err.Len() > 0 {
			begin, end := githubGroup(Label(res.Job))
			if t.opts.GithubGroups {
				t.write(t.ios.Out, []byte(begin))
			}
			t.writeSpool(res.Job.ID, &o.out, t.ios.Out)
			t.writeSpool(res.Job.ID, &o.err, t.ios.ErrOut)
			if t.opts.GithubGroups {
				if !o.out.EndsLine() {
					end = "\n" + end // the marker must start a line
				}
				t.write(t.ios.Out, []byte(end))
			}
		}
	case *streamOutput:
		for _, w := range []io.Writer{o.out, o.err} {
			if lw, ok := w.(*lineWriter); ok {
				if last := lw.flush(); last != nil {
					t.writeJob(res.Job.ID, lw.dst, last)
				}
			}
		}
	}
	if err := outputErr(res.Output); err != nil {
		t.lose(res.Job.ID, err)
	}
	res.Output.Close()
}

func (t *terminal) writeSpool(id string, s *runner.Spool, w io.Writer) {
	if s.Len() == 0 {
		return
	}
	t.opts.Progress.clear()
	t.wrote = true
	_, err := s.WriteTo(w)
	t.noteJobError(id, w, err)
	if !s.EndsLine() && t.opts.Progress.drawsOver() {
		t.writeJob(id, w, []byte("\n")) // a last line must not run into the bar
	}
}

func (t *terminal) noteError(w io.Writer, err error) {
	if err != nil && w == t.ios.Out && t.outErr == nil {
		t.outErr = err
		if isEPIPE(err) {
			t.stop()
		}
	}
}

func isEPIPE(err error) bool { return err != nil && errors.Is(err, syscall.EPIPE) }
