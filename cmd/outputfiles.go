package cmd

import (
	"fmt"
	"os"

	"github.com/drover/drover/cmd/input"
	"github.com/drover/drover/cmd/records"
)

// checkOutputs checks, before any file is opened for writing, that no
// file the run writes is its input or another of its outputs. Every flag
// that names a file the run writes joins the list here, with one line.
func (o *runOptions) checkOutputs(in *input.Input) error {
	var files records.Outputs
	if f := in.File(); f != nil {
		if o.file == "" || o.file == "-" {
			files.AddInput("stdin", "", f)
		} else {
			files.AddInput("FILE", o.file, f)
		}
	}
	// The results file is appended to, and may well be the history:
	// only the other history files are inputs no output may replace.
	for _, p := range o.cost.history {
		if !sameFile(p, o.results) {
			files.AddInputPath("--history", p)
		}
	}
	for _, p := range o.cost.balanceBy {
		if !sameFile(p, o.results) {
			files.AddInputPath("--balance-by", p)
		}
	}
	files.Add("--results", o.results)
	files.Add("--summary-json", o.summaryJSON)
	files.Add("--junit", o.reports.junit)
	files.Add("--html", o.reports.html)
	files.Add("--events", o.events)
	files.AddFD(fmt.Sprintf("--events-fd %d", o.eventsFD), o.eventsFD)
	files.Add("--joblog", o.parallel.joblog)
	files.AddDir("--output-dir", o.outputDir)
	if err := files.Check(); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// checkOutputs checks that no file report writes is one of the results
// files it reads, or another of its outputs.
func (o *reportOptions) checkOutputs() error {
	var files records.Outputs
	for _, f := range o.files {
		files.AddInputPath("RESULTS", f)
	}
	files.Add("--summary-json", o.summaryJSON)
	files.Add("--junit", o.reports.junit)
	files.Add("--html", o.reports.html)
	if err := files.Check(); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// checkOutputs checks that no file wait writes is another of its outputs.
func (o *waitOptions) checkOutputs() error {
	var files records.Outputs
	files.Add("--results", o.results)
	files.Add("--summary-json", o.summaryJSON)
	files.AddDir("--output-dir", o.outputDir)
	if err := files.Check(); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// sameFile reports whether paths a and b name one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
