package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/input"
	"github.com/drover/drover/cmd/interrupt"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
	"github.com/drover/drover/runner/fleet"
)

// runRun is `drover run`. It composes the stages of a run:
//
//	input (open, check a file whole, rewind)
//	  → engine (the local runner, or the fleet submitter with --nats)
//	  → events → console (job output, progress, notices, summary)
//	           and records (results file, summary file, reports, and the
//	           events stream, which sees every event on its way)
//	  → exit code
//
// Signals are watched from the moment the input is open: one that comes
// while a regular file is checked means no job runs.
func runRun(ios *iostreams.IOStreams, opts *runOptions) error {
	cfg, shard, err := opts.runConfig(ios)
	if err != nil {
		return err
	}
	in, err := opts.input.open(ios, opts.file)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := opts.checkOutputs(in); err != nil {
		return err
	}
	guard := interrupt.Start(opts.killGrace)
	defer guard.Stop()

	plan, err := opts.planJobs(ios, in, shard)
	if err != nil {
		return err
	}
	cfg.Priority = plan.priority
	total, err := checkFile(ios, in, plan, guard, refusedNeeds(opts.detach))
	if err == input.ErrInterrupted {
		return interruptedBeforeRun(ios, opts, guard.Stop())
	} else if err != nil {
		return err
	}
	cfg.Total = total // known: every job that does not run is not_started
	if err := opts.parallel.halt.apply(&cfg, total); err != nil {
		return err
	}
	st := &runState{opts: opts, shard: shard, shardMethod: plan.method}
	if opts.dryRun == "" {
		if err := st.openResults(); err != nil { // locked before --resume reads it
			return err
		}
		defer st.results.Close()
	}
	if cfg.Skip, err = st.resumeSkip(ios); err != nil {
		return err
	}
	if opts.dryRun != "" {
		return dryRun(ios, in, plan, cfg, opts.dryRun, guard)
	}

	typed := ios.InTTY && in.IsStdin()
	con, err := opts.openConsole(ios, total, typed, guard.Stopping)
	if err != nil {
		return err
	}
	defer con.Close()
	rec, events, err := st.openRecords(ios)
	if err != nil {
		return err
	}
	defer rec.Close()
	if events != nil {
		events.Begin(total)
	}
	tellSteps(guard, con, events)
	eng, closeEngine, err := newEngine(ios, st, cfg, con, rec, events, guard.Note)
	if err != nil {
		return err
	}
	defer closeEngine()
	if !guard.Begin(eng) {
		if events != nil {
			events.NotRun()
		}
		return interruptedBeforeRun(ios, opts, guard.Stop())
	}
	out := runJobs(ios, eng, con, guard, in, plan)
	if sub, ok := eng.(*fleet.Submitter); ok && opts.detach {
		return finishDetached(ios, opts, out, sub, rec)
	}
	return finish(ios, out, con, rec)
}

// tellSteps has each shutdown step a signal takes shown by the console
// (the bar says "draining") and written to the events stream, if any.
func tellSteps(guard *interrupt.Guard, con *console.Console, events *records.Events) {
	guard.Tell(func(step interrupt.Step, sig os.Signal) {
		con.Stopping(stepAction[step])
		if events != nil {
			events.Signal(interrupt.SignalName(sig), stepAction[step])
		}
	})
}

// stepAction names the shutdown steps in the events stream.
var stepAction = map[interrupt.Step]string{interrupt.StepDrain: "drain", interrupt.StepStop: "stop", interrupt.StepKill: "kill"}

// checkFile checks a regular file whole before any job starts, every bad
// record reported, and counts its jobs, so that progress can show
// done/total; then it rewinds the file. A stream is checked as it is
// read, while it runs: its total is -1. A job with needs that refuse
// refuses (when set) is a bad record. The plan's order table, when it has
// one, gets every job the run holds.
func checkFile(ios *iostreams.IOStreams, in *input.Input, plan jobPlan, guard *interrupt.Guard, refuse func(*jobspec.Job) error) (int, error) {
	if !in.IsFile() {
		return -1, nil
	}
	errOut := bufio.NewWriter(ios.ErrOut)
	defer errOut.Flush()
	report := func(bad error) { fmt.Fprintln(errOut, termtext.EscapeMessage(bad.Error())) }
	needsBad := 0
	each := func(job *jobspec.Job) {
		if len(job.Needs) > 0 && refuse != nil {
			needsBad++
			report(&jobspec.RecordError{Pos: job.Record, Err: refuse(job)})
		}
		if plan.table != nil {
			plan.table.Add(job)
		}
	}
	res, err := input.CheckEach(in.Decoder(), plan.held, report, guard.Interrupted, each)
	res.Bad += needsBad
	switch {
	case err == input.ErrInterrupted:
		return 0, err
	case err != nil:
		return 0, usageError("%s: %v", in.Name, err)
	case res.Bad > 0:
		fmt.Fprintf(errOut, "drover: %s: %s invalid; no job was run\n", termtext.Escape(in.Name), runner.Plural(res.Bad, "record"))
		return 0, silent(exitUsage)
	}
	if err := in.Rewind(); err != nil {
		return 0, usageError("%s: %v", in.Name, err)
	}
	return res.Records, nil
}

var errNeedsDetached = errors.New("a job with needs cannot be submitted with --detach: the submitter holds it back until its needs have finished")

// refusedNeeds says why a run refuses every job with needs, or is nil when
// it takes them: a detached run has no submitter to hold them back.
func refusedNeeds(detach bool) func(*jobspec.Job) error {
	if detach {
		return func(*jobspec.Job) error { return errNeedsDetached }
	}
	return nil
}

// dryRun lists the jobs that would run instead of running them.
func dryRun(ios *iostreams.IOStreams, in *input.Input, plan jobPlan, cfg runner.Config, form string, guard *interrupt.Guard) error {
	dec := in.Decoder()
	defer dec.Close()
	o := console.DryRunOptions{Form: form, Shell: cfg.Shell, Templated: in.Templated(), Terminal: ios.OutTTY, Skip: cfg.Skip}
	interrupted, err := console.DryRun(ios.Out, plan.source(in, dec, nil), o, guard.Interrupted)
	if !interrupted {
		return err
	}
	return silent(signalExitCode(guard.Stop()))
}

// outcome is what running the jobs came to.
type outcome struct {
	sum          runner.Summary
	err          error     // bad input, or a results file that failed
	stdoutClosed bool      // drover's stdout was found closed
	outputLost   bool      // a job's output was not written whole
	interrupted  os.Signal // the first signal received, if any
}

// runJobs runs the jobs on eng while the console shows the events. A
// reader of drover's stdout that goes away stops the engine, as a write
// that finds it gone does.
func runJobs(ios *iostreams.IOStreams, eng engine, con *console.Console, guard *interrupt.Guard, in *input.Input, plan jobPlan) outcome {
	con.Start(eng.Stop)
	guard.NoticesTo(con)
	var closed atomic.Bool
	stopWatching := interrupt.WatchClosed(ios.Out, func() {
		closed.Store(true)
		eng.Stop()
		con.Notice("stdout was closed; stopping the running jobs")
	})
	dec := in.Decoder()
	defer dec.Close()
	sum, err := eng.Run(context.Background(), plan.source(in, dec, in.Interrupt))
	con.Wait()
	stopWatching()
	return outcome{sum: sum, err: err, stdoutClosed: closed.Load() || con.StdoutClosed(), outputLost: con.OutputLost(), interrupted: guard.Stop()}
}

// finish reports the run's error, prints the summary, completes the
// record files and returns the exit code the outcome maps to. A record
// file that cannot be completed makes it 2, unless a signal interrupted
// the run.
func finish(ios *iostreams.IOStreams, out outcome, con *console.Console, rec *records.Set) error {
	if out.err != nil && !jobspec.IsInputError(out.err) { // input errors were reported as they happened
		printError(ios.ErrOut, out.err)
	}
	code := runExitCode(out)
	con.PrintSummary(out.sum)
	for _, err := range rec.Finish(records.Outcome{Summary: out.sum, Interrupted: signalNameOf(out.interrupted), ExitCode: code}) {
		printError(ios.ErrOut, err)
		if out.interrupted == nil {
			code = exitUsage
		}
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
		if s, err := records.CreateSummary(opts.summaryJSON); err == nil {
			s.Finish(records.Outcome{Summary: sum, Interrupted: interrupt.SignalName(sig), ExitCode: code})
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
