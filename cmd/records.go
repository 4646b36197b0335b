package cmd

import (
	"errors"
	"fmt"
	"os"

	"github.com/drover/drover/runner"
)

// interruptedBeforeRun ends a run that a signal stopped before any job
// started: the summary, the summary file, and the signal's exit code.
func interruptedBeforeRun(ios *IOStreams, opts *runOptions, sig os.Signal) error {
	code := signalExitCode(sig)
	fmt.Fprintf(ios.ErrOut, "drover: %s before any job started; no job was run\n", signalName(sig))
	var sum runner.Summary
	if !opts.quiet {
		printSummary(ios.ErrOut, newPalette(false), sum, nil)
	}
	if opts.summaryJSON != "" {
		if f, err := os.Create(opts.summaryJSON); err == nil {
			writeSummaryJSON(f, sum, sig, code)
		}
	}
	return silent(code)
}

// records are the files a run writes its outcome to. Both are opened before
// any job starts, so that a path that cannot be written stops the run
// before it begins.
type records struct {
	results *runner.ResultsFile
	summary *os.File
}

func openRecords(opts *runOptions) (*records, error) {
	rec := &records{}
	if opts.results != "" {
		f, err := runner.OpenResults(opts.results)
		if err != nil {
			return nil, usageError("--results: %v", unwrapPath(err))
		}
		rec.results = f
	}
	if opts.summaryJSON != "" {
		f, err := os.Create(opts.summaryJSON)
		if err != nil {
			rec.close()
			return nil, usageError("--summary-json: %v", unwrapPath(err))
		}
		rec.summary = f
	}
	return rec, nil
}

func (r *records) close() error {
	var errs []error
	if r.results != nil {
		if err := r.results.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--results: %w", err))
		}
		r.results = nil
	}
	if r.summary != nil {
		r.summary.Close()
		r.summary = nil
	}
	return errors.Join(errs...)
}
