package cmd

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// groupSink collects each job's stdout and stderr in spools (memory up to
// 1 MiB each, then a private file), to be written whole when the job ends.
type groupSink struct{ dir *runner.SpoolDir }

func (s groupSink) Open(*jobspec.Job) (runner.JobOutput, error) {
	return &groupOutput{out: runner.Spool{Dir: s.dir}, err: runner.Spool{Dir: s.dir}}, nil
}

type groupOutput struct{ out, err runner.Spool }

func (g *groupOutput) Stdout() io.Writer { return &g.out }
func (g *groupOutput) Stderr() io.Writer { return &g.err }
func (g *groupOutput) Close() error {
	return errors.Join(g.out.Close(), g.err.Close())
}

// maxListedFailures is how many failed jobs the summary lists.
const maxListedFailures = 20

// failure is what the summary shows of one failed or timed-out job.
type failure struct {
	res  *runner.Result
	tail []byte
}

// terminal is the one goroutine that writes to drover's stdout and stderr
// while jobs run: job output, notices and (later) progress all pass
// through it, so no two writers race. loop runs in that goroutine; notice
// may be called from any goroutine until loop has returned.
type terminal struct {
	ios      *IOStreams
	quiet    bool
	onClosed func() // called once when drover's stdout is found closed

	notes    chan string
	done     chan struct{}
	failures []failure
	failed   int   // failed and timed-out jobs seen
	outErr   error // the first error writing drover's own stdout
}

func newTerminal(ios *IOStreams, quiet bool, onClosed func()) *terminal {
	return &terminal{ios: ios, quiet: quiet, onClosed: onClosed, notes: make(chan string), done: make(chan struct{})}
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
	for {
		select {
		case s := <-t.notes:
			fmt.Fprintf(t.ios.ErrOut, "drover: %s\n", s)
		case ev, ok := <-events:
			if !ok {
				return
			}
			t.handle(ev)
		}
	}
}

func (t *terminal) handle(ev runner.Event) {
	switch ev.Kind {
	case runner.IntakeFailed:
		fmt.Fprintf(t.ios.ErrOut, "drover: %v\ndrover: no new job will start; waiting for %s to finish\n", ev.Err, plural(ev.Running, "running job"))
	case runner.AttemptRetrying:
		if !t.quiet {
			fmt.Fprintf(t.ios.ErrOut, "drover: job %s: attempt %d failed (%s); retrying in %s\n",
				ev.Job.ID, ev.Attempt, ev.Failure, ev.Delay.Round(1e6))
		}
	case runner.JobFinished:
		res := ev.Result
		if g, ok := res.Output.(*groupOutput); ok {
			t.writeBlock(&g.out, t.ios.Out)
			t.writeBlock(&g.err, t.ios.ErrOut)
		}
		res.Output.Close()
		if res.Status == runner.Failed || res.Status == runner.TimedOut {
			t.failed++
			if len(t.failures) < maxListedFailures {
				t.failures = append(t.failures, failure{res: res, tail: res.StderrTail})
			}
		}
	}
}

func isEPIPE(err error) bool { return err != nil && errors.Is(err, syscall.EPIPE) }

func (t *terminal) writeBlock(s *runner.Spool, w io.Writer) {
	if s.Len() == 0 {
		return
	}
	_, err := s.WriteTo(w)
	if err != nil && w == t.ios.Out && t.outErr == nil {
		t.outErr = err
		if isEPIPE(err) {
			t.onClosed()
		}
	}
}
