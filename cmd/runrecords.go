package cmd

import (
	"fmt"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/jobspec"
)

// openRecords opens the record files the flags ask for, before any job
// starts, so that a path that cannot be written stops the run before it
// begins. Another record format is one more writer added here.
func (o *runOptions) openRecords() (*records.Set, error) {
	rec := &records.Set{}
	if o.results != "" {
		w, err := records.OpenResults(o.results)
		if err != nil {
			return nil, usageError("--results: %v", unwrapPath(err))
		}
		rec.Add("--results", w)
	}
	if o.summaryJSON != "" {
		w, err := records.CreateSummary(o.summaryJSON)
		if err != nil {
			rec.Close()
			return nil, usageError("--summary-json: %v", unwrapPath(err))
		}
		rec.Add("--summary-json", w)
	}
	return rec, nil
}

// resumeSkip is, with --resume, what skips the jobs that already
// succeeded in the results file.
func (o *runOptions) resumeSkip(ios *iostreams.IOStreams) (func(*jobspec.Job) bool, error) {
	if !o.resume {
		return nil, nil
	}
	skip, cut, err := records.Succeeded(o.results)
	if err != nil {
		return nil, usageError("--resume: %v", err)
	}
	for _, line := range cut {
		fmt.Fprintf(ios.ErrOut, "drover: --resume: %s:%d: skipped a record cut short\n", o.results, line)
	}
	return skip, nil
}
