package cmd

import (
	"bufio"
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// engine runs a set of jobs: the local runner, or a fleet submitter that
// runs them on workers.
type engine interface {
	stopper
	Run(ctx context.Context, src runner.Source) (runner.Summary, error)
}

// runConfig checks the flags and turns them into a runner.Config.
func (o *runOptions) runConfig(ios *IOStreams) (runner.Config, error) {
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
	case o.keepOrder && o.output != outputGroup:
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
func runRun(ios *IOStreams, opts *runOptions) error {
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
	defer in.close()

	// Signals are watched from here on: one that comes while a regular file
	// is validated means no job runs, and the run ends as it would anyway.
	hand := &handover{}
	notes := &laterNote{}
	signals := watchSignals(hand, opts.killGrace, notes.note)
	defer signals.stop()

	// A regular file is validated completely before any job starts, and
	// counted, so that progress can show done/total.
	total := -1
	if in.file != nil {
		errOut := bufio.NewWriter(ios.ErrOut)
		res, err := checkAll(in.decoder(), shard, func(bad error) { fmt.Fprintln(errOut, bad) }, hand.wasInterrupted)
		if err == errInterrupted {
			errOut.Flush()
			return interruptedBeforeRun(ios, opts, signals.stop())
		}
		if err != nil {
			errOut.Flush()
			return usageError("%s: %v", in.name, err)
		}
		if res.bad > 0 {
			fmt.Fprintf(errOut, "drover: %s: %s invalid; no job was run\n", in.name, plural(res.bad, "record"))
			errOut.Flush()
			return silent(exitUsage)
		}
		if err := in.rewind(); err != nil {
			return usageError("%s: %v", in.name, err)
		}
		total = res.records
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
		dec := in.decoder()
		defer dec.Close()
		if err := dryRun(ios, shardSource{src: dec, shard: shard}, cfg, hand.wasInterrupted); err != errInterrupted {
			return err
		}
		return silent(signalExitCode(signals.stop()))
	}

	colour, err := useColor(opts.color, ios)
	if err != nil {
		return err
	}
	progressMode := opts.progress
	if opts.quiet || (progressMode == progressAuto && opts.output == outputRaw) {
		progressMode = progressNone // raw output would run through the bar
	}
	progress, err := newProgress(progressMode, ios, opts.progressInterval, total, colour)
	if err != nil {
		return err
	}
	spool := &runner.SpoolDir{}
	defer spool.Remove()
	chunks := make(chan chunk)
	sink, err := newSink(opts.output, ios, spool, chunks)
	if err != nil {
		return err
	}
	if opts.outputDir != "" {
		dir, err := openOutputDir(opts.outputDir, sink)
		if err != nil {
			return err
		}
		defer dir.Close()
		sink = dir
	}
	cfg.Sink = sink

	rec, err := openRecords(opts)
	if err != nil {
		return err
	}
	defer rec.close()
	if rec.results != nil {
		cfg.Record = func(res *runner.Result) error {
			r := runner.NewRecord(res)
			if s, ok := res.Output.(*savedOutput); ok {
				r.StdoutFile, r.StderrFile = s.stdoutFile, s.stderrFile
			}
			return rec.results.Write(r)
		}
	}

	events := make(chan runner.Event, 64)
	cfg.Events = events
	var r engine
	if opts.nats != "" {
		sub, closeConn, err := newSubmitter(ios, opts, cfg, notes.note)
		if err != nil {
			return err
		}
		defer closeConn()
		r = sub
	} else if r, err = runner.New(cfg); err != nil {
		return usageError("%v", err)
	}

	if !hand.start(r) {
		return interruptedBeforeRun(ios, opts, signals.stop())
	}
	term := newTerminal(ios, terminalOptions{
		quiet:        opts.quiet,
		keepOrder:    opts.keepOrder,
		githubGroups: ios.Getenv("GITHUB_ACTIONS") == "true" && !opts.noGithubGroups,
		progress:     progress,
	}, chunks, total, r.Stop)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		term.loop(events)
	}()
	notes.set(term)
	var stdoutClosed atomic.Bool
	stopWatching := watchClosed(ios.Out, func() {
		stdoutClosed.Store(true)
		r.Stop()
		term.notice("stdout was closed; stopping the running jobs")
	})
	dec := in.decoder()
	defer dec.Close()
	sum, runErr := r.Run(context.Background(), shardSource{dec, shard, in.interrupt})
	wg.Wait()
	stopWatching()
	interrupted := signals.stop()

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
	if isEPIPE(term.outErr) || stdoutClosed.Load() {
		code = exitSIGPIPE
	}
	if interrupted != nil {
		code = signalExitCode(interrupted)
	}
	if !opts.quiet {
		printSummary(ios.ErrOut, newPalette(colour), sum, term.failures)
	}
	if rec.summary != nil {
		if err := writeSummaryJSON(rec.summary, sum, interrupted, code); err != nil {
			fmt.Fprintf(ios.ErrOut, "drover: --summary-json: %v\n", err)
			if interrupted == nil {
				code = exitUsage
			}
		}
		rec.summary = nil
	}
	if err := rec.close(); err != nil && code < exitUsage {
		fmt.Fprintf(ios.ErrOut, "drover: %v\n", err)
		code = exitUsage
	}
	return silent(code)
}
