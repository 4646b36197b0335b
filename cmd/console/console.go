// Package console owns what a person sees of a run: the one goroutine
// that writes to drover's stdout and stderr while jobs run, the progress
// views (bar, log, none), the output sinks (group, tag, raw, none, and the
// copies saved in an output directory), the summary and its palette, and
// the dry-run listing. It knows neither cobra nor flags: it is given plain
// values, and its errors name no flag.
package console

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner"
)

// Options say how a run is presented.
type Options struct {
	Quiet        bool         // no summary and no retry notices
	KeepOrder    bool         // group mode: write the blocks in input order
	Tag          bool         // group mode: each line after the job's arguments and a TAB
	GithubGroups bool         // fold each group-mode block in ::group::
	Colour       bool         // colour the summary
	Progress     ProgressView // see ProgressMode and NewProgress
	Total        int          // jobs in the input; -1 while unknown (a stream)
	Limit        int          // jobs that may run at once, shown by the bar; 0: not shown
	// Deadline and KillGrace are told in the notice that the run's
	// deadline passed (KillGrace 0: not told); OnDeadline, when set, is
	// called then, from the terminal goroutine.
	Deadline   time.Duration
	KillGrace  time.Duration
	OnDeadline func()
	// FailureRule and SuccessRule are the flags that set the run's
	// failure and success limits as they were given ("--fail-fast",
	// "--max-failures 3", "--halt soon,fail=1"), for the summary to name;
	// "" names --max-failures and --stop-on-success.
	FailureRule, SuccessRule string
}

// Console is what a person sees of one run. Make it with New, choose the
// output with SetOutput (and SaveOutputIn), give Sink and Events to the
// engine, then Start it before the engine runs and Wait for it once the
// engine has closed Events. Notice may be called from any goroutine
// between Start and Wait; the other methods by the run's own goroutine.
// Close releases what the jobs' output still holds on disk.
type Console struct {
	ios    *iostreams.IOStreams
	opts   Options
	spool  runner.SpoolDir
	chunks chan chunk
	events chan runner.Event
	sink   runner.Sink
	dir    *outputDir
	term   *terminal
	wg     sync.WaitGroup
	// stopping is how the run is being stopped (a string; see Stopping).
	stopping atomic.Value
}

// New makes the console of a run on ios.
func New(ios *iostreams.IOStreams, opts Options) *Console {
	return &Console{ios: ios, opts: opts, chunks: make(chan chunk), events: make(chan runner.Event, 64)}
}

// SetOutput chooses what happens to the jobs' output: group, tag, raw or
// none (see the Output constants).
func (c *Console) SetOutput(mode string) error {
	sink, err := newSink(mode, c.ios, &c.spool, c.chunks, c.opts.Tag)
	if err != nil {
		return err
	}
	c.sink = sink
	if mode == OutputGroup || mode == OutputTag {
		growPipe(c.ios.Out)
		growPipe(c.ios.ErrOut)
	}
	return nil
}

// SaveOutputIn also saves each job's stdout and stderr in the directory
// at path, made if need be. It comes after SetOutput.
func (c *Console) SaveOutputIn(path string) error {
	dir, err := openOutputDir(path, c.sink)
	if err != nil {
		return err
	}
	c.dir, c.sink = dir, dir
	return nil
}

// Sink is where the engine sends the jobs' output.
func (c *Console) Sink() runner.Sink { return c.sink }

// Events is where the engine sends the run's events; the engine closes it.
func (c *Console) Events() chan<- runner.Event { return c.events }

// Start starts the terminal goroutine, which shows the events until the
// engine closes Events. onClosed is called, once, when a write finds
// drover's stdout closed or a job's output is lost: it stops the run.
func (c *Console) Start(onClosed func()) {
	c.term = newTerminal(c.ios, c.opts, c.chunks, c.opts.Total, onClosed)
	c.term.stopping = &c.stopping
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.term.Loop(c.events)
	}()
}

// Stopping tells the progress view how the run is being stopped, by the
// shutdown step action: "drain" (no new job starts; the running ones
// finish: the view says "draining" instead of an ETA), "stop" or "kill"
// ("stopping"). It may be called from any goroutine, before Start too,
// and never blocks.
func (c *Console) Stopping(action string) {
	how := "stopping"
	if action == "drain" {
		how = "draining"
	}
	c.stopping.Store(how)
}

// Notice prints a line for people on stderr, unless the run has ended.
func (c *Console) Notice(s string) { c.term.Notice(s) }

// Paused shows the run as paused (on) or running again, with notice, and
// returns once both are on the screen (or the run has ended), so that
// drover may stop itself right after. It may be called from any
// goroutine between Start and Wait.
func (c *Console) Paused(on bool, notice string) {
	c.term.control(control{paused: &on, note: notice})
}

// Limit shows n as the number of jobs that may run at once, with notice.
// It may be called from any goroutine between Start and Wait.
func (c *Console) Limit(n int, notice string) { c.term.control(control{limit: n, note: notice}) }

// Wait waits for the terminal goroutine to have shown every event.
func (c *Console) Wait() { c.wg.Wait() }

// StdoutClosed reports whether a write found drover's stdout closed.
func (c *Console) StdoutClosed() bool { return isEPIPE(c.term.OutErr()) }

// OutputLost reports whether some job's output was not written whole: a
// spill file, a saved file or drover's stdout or stderr that failed.
func (c *Console) OutputLost() bool { return c.term.Lost() > 0 }

// PrintSummary prints the summary of the run on stderr, unless quiet.
func (c *Console) PrintSummary(sum runner.Summary) {
	if !c.opts.Quiet {
		printSummary(c.ios.ErrOut, NewPalette(c.opts.Colour), sum, c.term.Failures(), c.opts.FailureRule, c.opts.SuccessRule)
	}
}

// Close removes what the jobs' output left on disk and closes the output
// directory.
func (c *Console) Close() {
	if c.dir != nil {
		c.dir.Close()
	}
	c.spool.Remove()
}
