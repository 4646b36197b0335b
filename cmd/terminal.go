package cmd

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// maxListedFailures is how many failed jobs the summary lists.
const maxListedFailures = 20

// failure is what the summary shows of one failed or timed-out job.
type failure struct {
	res  *runner.Result
	tail []byte
}

// terminalOptions say how the terminal goroutine presents a run.
type terminalOptions struct {
	quiet        bool
	keepOrder    bool
	githubGroups bool
	progress     progressView
}

// terminal is the one goroutine that writes to drover's stdout and stderr
// while jobs run: job output, notices and progress all pass through it, so
// no two writers race and the progress bar is cleared before anything is
// written above it. loop runs in that goroutine; notice and the chunk
// channel may be used from any goroutine until loop has returned.
type terminal struct {
	ios      *IOStreams
	opts     terminalOptions
	onClosed func() // called once when drover's stdout is found closed

	notes  chan string
	chunks chan chunk
	done   chan struct{}

	// Owned by the loop goroutine.
	failures []failure
	outErr   error          // the first error writing drover's own stdout
	order    []*jobspec.Job // --keep-order: accepted jobs not yet written
	held     map[*jobspec.Job]*runner.Result
	state    progressState
}

// newTerminal makes the terminal; the sinks send it output on chunks.
func newTerminal(ios *IOStreams, opts terminalOptions, chunks chan chunk, total int, onClosed func()) *terminal {
	return &terminal{
		ios: ios, opts: opts, onClosed: onClosed,
		notes: make(chan string), chunks: chunks, done: make(chan struct{}),
		held:  map[*jobspec.Job]*runner.Result{},
		state: progressState{total: total, start: time.Now()},
	}
}

// notice prints a line for people on stderr, unless the loop has ended.
func (t *terminal) notice(s string) {
	select {
	case t.notes <- s:
	case <-t.done:
	}
}

// loop handles events until the runner closes the channel.
func (t *terminal) loop(events <-chan runner.Event) {
	defer close(t.done)
	tick := time.NewTicker(t.opts.progress.interval())
	defer tick.Stop()
	for {
		select {
		case s := <-t.notes:
			t.write(t.ios.ErrOut, []byte("drover: "+s+"\n"))
		case c := <-t.chunks:
			t.write(c.dst, c.data)
		case <-tick.C:
			t.opts.progress.show(t.state)
		case ev, ok := <-events:
			if !ok {
				for _, job := range t.order { // jobs that never started hold nothing
					if res := t.held[job]; res != nil {
						t.writeResult(res)
					}
				}
				t.opts.progress.finish()
				return
			}
			t.handle(ev)
		}
	}
}

func (t *terminal) handle(ev runner.Event) {
	t.state.running = ev.Running
	switch ev.Kind {
	case runner.JobAccepted:
		t.state.accepted++
		if t.opts.keepOrder {
			t.order = append(t.order, ev.Job)
		}
	case runner.IntakeFailed:
		t.write(t.ios.ErrOut, fmt.Appendf(nil, "drover: %v\ndrover: no new job will start; waiting for %s to finish\n", ev.Err, plural(ev.Running, "running job")))
	case runner.AttemptRetrying:
		if !t.opts.quiet {
			t.write(t.ios.ErrOut, fmt.Appendf(nil, "drover: job %s: attempt %d failed (%s); retrying in %s\n",
				ev.Job.ID, ev.Attempt, ev.Failure, ev.Delay.Round(time.Millisecond)))
		}
	case runner.JobFinished:
		res := ev.Result
		t.state.counts = ev.Counts
		if (res.Status == runner.Failed || res.Status == runner.TimedOut) && len(t.failures) < maxListedFailures {
			t.failures = append(t.failures, failure{res: res, tail: res.StderrTail})
		}
		if !t.opts.keepOrder {
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

// modeOutput is the output of the --output mode inside a JobOutput, under
// what --output-dir adds.
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
		s.closeFiles()
	}
	switch o := modeOutput(res.Output).(type) {
	case *groupOutput:
		if o.out.Len()+o.err.Len() > 0 {
			begin, end := githubGroup(res.Job.ID)
			if t.opts.githubGroups {
				t.write(t.ios.Out, []byte(begin))
			}
			t.writeSpool(&o.out, t.ios.Out)
			t.writeSpool(&o.err, t.ios.ErrOut)
			if t.opts.githubGroups {
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
					t.write(lw.dst, last)
				}
			}
		}
	}
	res.Output.Close()
}

func (t *terminal) writeSpool(s *runner.Spool, w io.Writer) {
	if s.Len() == 0 {
		return
	}
	t.opts.progress.clear()
	_, err := s.WriteTo(w)
	t.noteError(w, err)
	if !s.EndsLine() && t.opts.progress.drawsOver() {
		t.write(w, []byte("\n")) // a last line must not run into the bar
	}
}

// write writes p to w (drover's stdout or stderr) with the progress bar
// out of the way.
func (t *terminal) write(w io.Writer, p []byte) {
	t.opts.progress.clear()
	_, err := w.Write(p)
	t.noteError(w, err)
}

func (t *terminal) noteError(w io.Writer, err error) {
	if err != nil && w == t.ios.Out && t.outErr == nil {
		t.outErr = err
		if isEPIPE(err) {
			t.onClosed()
		}
	}
}

func isEPIPE(err error) bool { return err != nil && errors.Is(err, syscall.EPIPE) }
