package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

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
	con := console.New(ios, console.Options{Quiet: opts.quiet, Colour: colour,
		Progress: console.NewProgress(console.ProgressNone, ios, 0, -1, colour), Total: -1})
	defer con.Close()
	if err := con.SetOutput(opts.output); err != nil {
		if errors.Is(err, console.ErrUnknownMode) {
			return usageError("--output: %v", err)
		}
		return err
	}
	if opts.outputDir != "" {
		if err := con.SaveOutputIn(opts.outputDir); err != nil {
			return usageError("--output-dir: %v", unwrapPath(err))
		}
	}
	known, err := recordedOf(opts.results, opts.run)
	if err != nil {
		return usageError("--results: %v", err)
	}
	rec := &records.Set{}
	defer rec.Close()
	if opts.results != "" {
		w, err := records.OpenResults(opts.results)
		if err != nil {
			return usageError("--results: %v", unwrapPath(err))
		}
		w.Run = opts.run
		rec.Add("--results", w)
	}
	if opts.summaryJSON != "" {
		w, err := records.CreateSummary(opts.summaryJSON)
		if err != nil {
			return usageError("--summary-json: %v", unwrapPath(err))
		}
		rec.Add("--summary-json", w)
	}
	srv, err := opts.conn.open(ios, url, "drover wait", 0, nil)
	if err != nil {
		return err
	}
	defer srv.Conn().Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	var sig os.Signal
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case sig = <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	cfg := fleet.WaitConfig{Sink: con.Sink(), Events: con.Events(), Known: func(id string) bool { return known[id] }}
	if !rec.Empty() {
		cfg.Record = rec.Record
	}
	con.Start(cancel)
	w, err := srv.Wait(ctx, opts.run, cfg)
	con.Wait()
	cancel()
	<-stopped

	if sig != nil {
		fmt.Fprintf(ios.ErrOut, "drover: %s: stopped waiting; run %s goes on, and 'drover wait %s' collects the rest\n", interrupt.SignalName(sig), opts.run, opts.run)
		return silent(signalExitCode(sig))
	}
	if con.StdoutClosed() {
		return silent(exitSIGPIPE) // the run goes on; a later wait collects the rest
	}
	if err != nil && w == nil {
		return usageError("%v", err)
	}
	var sum runner.Summary
	if w != nil {
		sum = w.Summary
	}
	code := exitOK
	if sum.Failed+sum.TimedOut+sum.Canceled+sum.NotStarted > 0 {
		code = exitFailures
	}
	if err != nil {
		printError(ios.ErrOut, err)
		code = exitUsage
	}
	if con.OutputLost() { // reported as it happened
		code = exitUsage
	}
	if w.AlreadyCollected {
		fmt.Fprintf(ios.ErrOut, "drover: run %s was collected already; nothing was recorded now. Its counts then:\n", opts.run)
	}
	if w.Info.Incomplete {
		fmt.Fprintf(ios.ErrOut, "drover: run %s: its drover run was lost before it had queued every job; 'drover run --resume' runs the rest\n", opts.run)
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
