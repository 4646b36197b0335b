package cmd

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/input"
	"github.com/drover/drover/cmd/interrupt"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// engine runs a set of jobs: the local runner, or a fleet submitter that
// runs them on workers.
type engine interface {
	interrupt.Stopper
	Run(ctx context.Context, src runner.Source) (runner.Summary, error)
}

// runConfig checks the flags and turns them into a runner.Config.
func (o *runOptions) runConfig(ios *iostreams.IOStreams) (runner.Config, error) {
	switch {
	case o.jobs < 1:
		return runner.Config{}, usageError("--jobs must be at least 1, got %d", o.jobs)
	case o.queue < 0:
		return runner.Config{}, usageError("--queue must be at least 1, got %d", o.queue)
	case o.retries < 0 || o.retries > jobspec.MaxRetries:
		return runner.Config{}, usageError("--retries must be from 0 to %d, got %d", jobspec.MaxRetries, o.retries)
	case o.maxFailures < 0:
		return runner.Config{}, usageError("--max-failures must not be negative, got %d", o.maxFailures)
	case o.timeout < 0 || o.killGrace < 0 || o.retryDelay < 0 || o.retryMaxDelay < 0:
		return runner.Config{}, usageError("durations must not be negative")
	case o.resume && o.results == "":
		return runner.Config{}, usageError("--resume needs --results FILE")
	case o.shell == "":
		return runner.Config{}, usageError("--shell must not be empty")
	case o.keepOrder && o.output != console.OutputGroup:
		return runner.Config{}, usageError("--keep-order needs --output group")
	}
	cfg := runner.Config{
		Jobs: o.jobs, Queue: o.queue,
		Timeout: o.timeout, KillGrace: o.killGrace,
		Retries: o.retries, RetryDelay: o.retryDelay, RetryMaxDelay: o.retryMaxDelay,
		RetryBudget: int(o.retryBudget), MaxFailures: o.maxFailures,
		Shell: o.shell, Environ: ios.Environ(),
	}
	if cfg.Queue == 0 {
		cfg.Queue = 2 * o.jobs
		if o.nats != "" {
			cfg.Queue = defaultInFlight
		}
	}
	if err := o.checkNATSFlags(); err != nil {
		return runner.Config{}, err
	}
	if o.failFast && (cfg.MaxFailures == 0 || cfg.MaxFailures > 1) {
		cfg.MaxFailures = 1
	}
	return cfg, nil
}

// runRun is `drover run`: validate, run, record, summarise, and map the
// outcome to an exit code.
func runRun(ios *iostreams.IOStreams, opts *runOptions) error {
	cfg, err := opts.runConfig(ios)
	if err != nil {
		return err
	}
	var shard jobspec.Shard
	if opts.shard != "" {
		if shard, err = jobspec.ParseShard(opts.shard); err != nil {
			return usageError("--shard: %v", err)
		}
	}
	in, err := opts.input.open(ios, opts.file)
	if err != nil {
		return err
	}
	defer in.Close()

	// Signals are watched from here on: one that comes while a regular file
	// is validated means no job runs, and the run ends as it would anyway.
	hand := &interrupt.Handover{}
	notes := &interrupt.LaterNote{}
	signals := interrupt.Watch(hand, opts.killGrace, notes.Note)
	defer signals.Stop()

	// A regular file is validated completely before any job starts, and
	// counted, so that progress can show done/total.
	total := -1
	if in.IsFile() {
		errOut := bufio.NewWriter(ios.ErrOut)
		res, err := input.Check(in.Decoder(), shard, func(bad error) { fmt.Fprintln(errOut, bad) }, hand.WasInterrupted)
		if err == input.ErrInterrupted {
			errOut.Flush()
			return interruptedBeforeRun(ios, opts, signals.Stop())
		}
		if err != nil {
			errOut.Flush()
			return usageError("%s: %v", in.Name, err)
		}
		if res.Bad > 0 {
			fmt.Fprintf(errOut, "drover: %s: %s invalid; no job was run\n", in.Name, console.Plural(res.Bad, "record"))
			errOut.Flush()
			return silent(exitUsage)
		}
		if err := in.Rewind(); err != nil {
			return usageError("%s: %v", in.Name, err)
		}
		total = res.Records
	}

	var done map[string]bool
	if opts.resume {
		var cut []int
		if done, cut, err = runner.ReadSucceeded(opts.results); err != nil {
			return usageError("--resume: %v", err)
		}
		for _, line := range cut {
			fmt.Fprintf(ios.ErrOut, "drover: --resume: %s:%d: skipped a record cut short\n", opts.results, line)
		}
		cfg.Skip = func(j *jobspec.Job) bool { return done[j.ID] }
	}
	if opts.dryRun {
		dec := in.Decoder()
		defer dec.Close()
		interrupted, err := console.DryRun(ios.Out, input.ShardSource{Src: dec, Shard: shard}, cfg.Shell, cfg.Skip, hand.WasInterrupted)
		if !interrupted {
			return err
		}
		return silent(signalExitCode(signals.Stop()))
	}

	colour, err := console.UseColor(opts.color, ios)
	if err != nil {
		return err
	}
	progressMode := opts.progress
	if opts.quiet || (progressMode == console.ProgressAuto && opts.output == console.OutputRaw) {
		progressMode = console.ProgressNone // raw output would run through the bar
	}
	progress, err := console.NewProgress(progressMode, ios, opts.progressInterval, total, colour)
	if err != nil {
		return err
	}
	spool := &runner.SpoolDir{}
	defer spool.Remove()
	chunks := make(chan console.Chunk)
	sink, err := console.NewSink(opts.output, ios, spool, chunks)
	if err != nil {
		return err
	}
	if opts.outputDir != "" {
		dir, err := console.OpenOutputDir(opts.outputDir, sink)
		if err != nil {
			return err
		}
		defer dir.Close()
		sink = dir
	}
	cfg.Sink = sink

	rec, err := records.Open(opts.results, opts.summaryJSON)
	if err != nil {
		return usageError("%v", err)
	}
	defer rec.Close()
	if rec.Results != nil {
		cfg.Record = func(res *runner.Result) error {
			r := runner.NewRecord(res)
			if s, ok := res.Output.(*console.SavedOutput); ok {
				r.StdoutFile, r.StderrFile = s.Files()
			}
			return rec.Results.Write(r)
		}
	}

	events := make(chan runner.Event, 64)
	cfg.Events = events
	var r engine
	if opts.nats != "" {
		sub, closeConn, err := newSubmitter(ios, opts, cfg, notes.Note)
		if err != nil {
			return err
		}
		defer closeConn()
		r = sub
	} else if r, err = runner.New(cfg); err != nil {
		return usageError("%v", err)
	}

	if !hand.Start(r) {
		return interruptedBeforeRun(ios, opts, signals.Stop())
	}
	term := console.NewTerminal(ios, console.TerminalOptions{
		Quiet:        opts.quiet,
		KeepOrder:    opts.keepOrder,
		GithubGroups: ios.Getenv("GITHUB_ACTIONS") == "true" && !opts.noGithubGroups,
		Progress:     progress,
	}, chunks, total, r.Stop)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		term.Loop(events)
	}()
	notes.Set(term)
	var stdoutClosed atomic.Bool
	stopWatching := interrupt.WatchClosed(ios.Out, func() {
		stdoutClosed.Store(true)
		r.Stop()
		term.Notice("stdout was closed; stopping the running jobs")
	})
	dec := in.Decoder()
	defer dec.Close()
	sum, runErr := r.Run(context.Background(), input.ShardSource{Src: dec, Shard: shard, Wake: in.Interrupt})
	wg.Wait()
	stopWatching()
	interrupted := signals.Stop()

	code := exitOK
	if sum.Failed+sum.TimedOut+sum.Canceled > 0 {
		code = exitFailures
	}
	if runErr != nil {
		code = exitUsage
		if !jobspec.IsInputError(runErr) { // input errors were reported as they happened
			fmt.Fprintf(ios.ErrOut, "drover: %v\n", runErr)
		}
	}
	if console.IsEPIPE(term.OutErr()) || stdoutClosed.Load() {
		code = exitSIGPIPE
	}
	if interrupted != nil {
		code = signalExitCode(interrupted)
	}
	if !opts.quiet {
		console.PrintSummary(ios.ErrOut, console.NewPalette(colour), sum, term.Failures())
	}
	if rec.Summary != nil {
		if err := records.WriteSummaryJSON(rec.Summary, sum, signalNameOf(interrupted), code); err != nil {
			fmt.Fprintf(ios.ErrOut, "drover: --summary-json: %v\n", err)
			if interrupted == nil {
				code = exitUsage
			}
		}
		rec.Summary = nil
	}
	if err := rec.Close(); err != nil && code < exitUsage {
		fmt.Fprintf(ios.ErrOut, "drover: %v\n", err)
		code = exitUsage
	}
	return silent(code)
}

// interruptedBeforeRun ends a run that a signal stopped before any job
// started: the summary, the summary file, and the signal's exit code.
func interruptedBeforeRun(ios *iostreams.IOStreams, opts *runOptions, sig os.Signal) error {
	code := signalExitCode(sig)
	fmt.Fprintf(ios.ErrOut, "drover: %s before any job started; no job was run\n", interrupt.SignalName(sig))
	var sum runner.Summary
	if !opts.quiet {
		console.PrintSummary(ios.ErrOut, console.NewPalette(false), sum, nil)
	}
	if opts.summaryJSON != "" {
		if f, err := os.Create(opts.summaryJSON); err == nil {
			records.WriteSummaryJSON(f, sum, interrupt.SignalName(sig), code)
		}
	}
	return silent(code)
}

// signalNameOf names sig, or is "" for none.
func signalNameOf(sig os.Signal) string {
	if sig == nil {
		return ""
	}
	return interrupt.SignalName(sig)
}
