package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/interrupt"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/runner"
	"github.com/drover/drover/runner/fleet"
)

// waitOptions holds what `drover wait` is told.
type waitOptions struct {
	run         string
	nats        string
	conn        natsConn
	results     string
	summaryJSON string
	output      string
	outputDir   string
	color       string
	quiet       bool
}

func newWaitCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &waitOptions{}
	c := &cobra.Command{
		Use:   "wait RUN [flags]",
		Short: "Collect the results of a detached (or orphaned) fleet run",
		Long: `wait collects the results of a run that its drover run left: one started with
--detach, or one whose drover run was killed. It records every job's result in
--results (as drover run --nats would have), prints the jobs' output and the
summary, and returns once no job of the run is left on the queue or on a
worker. The run is then collected: its results leave the server.

Exit codes are run's: 0 every job succeeded or was skipped, 1 a job failed,
timed out, was canceled or never started (a canceled run, or one whose
drover run was lost before it had queued every job), 2 an unknown run, a
run that its live drover run collects itself, or a results file that cannot
be written; 130, 143, 129 when a signal stops the wait (the run goes on,
and a later wait collects the rest).`,
		Example: `  RUN=$(drover run --nats nats://queue:4222 --detach jobs.ndjson)
  drover wait "$RUN" --nats nats://queue:4222 --results results.ndjson`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.run = args[0]
			return runWait(ios, opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&opts.nats, "nats", "", "URL of the NATS server (default $"+envNATSURL+")")
	opts.conn.addFlags(fs)
	fs.StringVar(&opts.results, "results", "", "append one JSON record per finished job to FILE")
	fs.StringVar(&opts.summaryJSON, "summary-json", "", "write the final counts as JSON to FILE")
	fs.StringVar(&opts.output, "output", console.OutputGroup, "job output: group, tag, raw or none")
	fs.StringVar(&opts.outputDir, "output-dir", "", "also save each job's stdout and stderr in DIR")
	fs.StringVar(&opts.color, "color", "auto", "colour: auto (on a terminal, unless NO_COLOR is set), always or never")
	fs.BoolVarP(&opts.quiet, "quiet", "q", false, "print no summary")
	return c
}

// runWait is `drover wait`, built from the stages of a run: the console,
// the records, the interrupt watch, and the engine, which here is the
// server's collection of the run's results.
func runWait(ios *iostreams.IOStreams, opts *waitOptions) error {
	url := natsURL(ios, opts.nats)
	if url == "" {
		return usageError("wait needs --nats URL (or %s)", envNATSURL)
	}
	if err := opts.checkOutputs(); err != nil {
		return err
	}
	colour, err := useColor(opts.color, ios)
	if err != nil {
		return err
	}
	con, err := newConsole(ios, console.Options{Quiet: opts.quiet, Colour: colour,
		Progress: console.NewProgress(console.ProgressNone, ios, 0, -1, colour), Total: -1}, opts.output, opts.outputDir)
	if err != nil {
		return err
	}
	defer con.Close()
	known, err := recordedOf(opts.results, opts.run)
	if err != nil {
		return usageError("--results: %v", err)
	}
	rec, err := opts.openRecords()
	if err != nil {
		return err
	}
	defer rec.Close()
	srv, err := opts.conn.open(ios, url, "drover wait", 0, nil)
	if err != nil {
		return err
	}
	defer srv.Conn().Close()
	w, sig, err := collect(srv, opts.run, con, rec, known)
	return opts.finish(ios, con, rec, waitOutcome{w: w, sig: sig, err: err})
}

// openRecords opens --results (appending, as run does) and --summary-json.
func (o *waitOptions) openRecords() (*records.Set, error) {
	rec := &records.Set{}
	if o.results != "" {
		w, err := records.OpenResults(o.results)
		if err != nil {
			return nil, usageError("--results: %v", unwrapPath(err))
		}
		w.Run = o.run
		rec.Add("--results", w)
	}
	if err := openSummary(rec, o.summaryJSON); err != nil {
		rec.Close()
		return nil, err
	}
	return rec, nil
}

// waitStop is what signals stop in a wait: the wait itself, at the first
// signal, whatever the step. The run goes on.
type waitStop struct{ cancel context.CancelFunc }

func (s waitStop) Drain()       { s.cancel() }
func (s waitStop) Stop()        { s.cancel() }
func (s waitStop) Kill()        { s.cancel() }
func (s waitStop) Running() int { return 0 }

// collect collects the run's results through the console and the
// records, until every result is in or a signal stops the wait (sig).
func collect(srv *fleet.Server, run string, con *console.Console, rec *records.Set, known map[string]bool) (*fleet.Waited, os.Signal, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first atomic.Pointer[os.Signal]
	stopSignals := interrupt.Escalate(waitStop{cancel}, func(_ interrupt.Step, sig os.Signal) { first.CompareAndSwap(nil, &sig) })
	cfg := fleet.WaitConfig{Sink: con.Sink(), Events: con.Events(), Known: func(id string) bool { return known[id] }}
	if !rec.Empty() {
		cfg.Record = rec.Record
	}
	con.Start(cancel)
	w, err := srv.Wait(ctx, run, cfg)
	con.Wait()
	stopSignals()
	if sig := first.Load(); sig != nil {
		return w, *sig, err
	}
	return w, nil, err
}

// waitOutcome is what a wait came to.
type waitOutcome struct {
	w   *fleet.Waited
	sig os.Signal // the signal that stopped the wait, if any
	err error
}

// finish reports how the wait ended, prints the summary, completes the
// records, and returns the exit code: run's, with a job that never
// started counting as a failure.
func (o *waitOptions) finish(ios *iostreams.IOStreams, con *console.Console, rec *records.Set, out waitOutcome) error {
	if out.sig != nil {
		fmt.Fprintf(ios.ErrOut, "drover: %s: stopped waiting; run %s goes on, and 'drover wait %s' collects the rest\n", interrupt.SignalName(out.sig), o.run, o.run)
		return silent(signalExitCode(out.sig))
	}
	if con.StdoutClosed() {
		return silent(exitSIGPIPE) // the run goes on; a later wait collects the rest
	}
	if out.err != nil && out.w == nil {
		return usageError("%v", out.err)
	}
	sum := out.w.Summary
	code := exitOK
	if sum.Failed+sum.TimedOut+sum.Canceled+sum.DepFailed+sum.NotStarted > 0 {
		code = exitFailures
	}
	if out.err != nil {
		printError(ios.ErrOut, out.err)
		code = exitUsage
	}
	if con.OutputLost() { // reported as it happened
		code = exitUsage
	}
	if out.w.AlreadyCollected {
		fmt.Fprintf(ios.ErrOut, "drover: run %s was collected already; nothing was recorded now. Its counts then:\n", o.run)
	}
	if out.w.Info.Incomplete {
		fmt.Fprintf(ios.ErrOut, "drover: run %s: its drover run was lost before it had queued every job; 'drover run --resume' runs the rest\n", o.run)
		code = max(code, exitFailures)
	}
	con.PrintSummary(sum)
	for _, err := range rec.Finish(records.Outcome{Summary: sum, ExitCode: code}) {
		printError(ios.ErrOut, err)
		code = exitUsage
	}
	return silent(code)
}

// recordedOf returns the ids of the jobs that the results file at path
// already holds records of from run: a lost drover run recorded them.
func recordedOf(path, run string) (map[string]bool, error) {
	known := map[string]bool{}
	if path == "" {
		return known, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return known, nil
	}
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	_, err = runner.ScanRecords(f, path, func(_ int, rec *runner.Record) error {
		if rec.Run == run {
			known[rec.ID] = true
		}
		return nil
	})
	return known, err
}
