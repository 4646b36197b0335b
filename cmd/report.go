package cmd

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// reportOptions holds what `drover report` is told.
type reportOptions struct {
	files       []string
	summaryJSON string
	color       string
	quiet       bool
}

func newReportCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &reportOptions{}
	c := &cobra.Command{
		Use:   "report [flags] RESULTS...",
		Short: "Merge results files into one summary and exit code",
		Long: `report reads the results files of one or more runs (for example the shards of
a CI matrix, each run with --shard K/N --results FILE) and prints one summary
for all of them, with the exit code a single run of all the jobs would have:
0 when every job succeeded or was skipped, 1 when one failed, timed out or was
canceled, 2 when a file cannot be read or holds a line that is not a record.

A job with several records (a run resumed with --resume appends to its
results file) counts once, with its last record: files are read in the
order given, each from top to bottom. A skipped record never replaces an
earlier record of the same job. A last line cut short by a crash is
ignored with a warning.`,
		Example: `  drover report shard-*.ndjson
  drover report --summary-json summary.json results/*.ndjson`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.files = args
			return runReport(ios, opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&opts.summaryJSON, "summary-json", "", "also write the merged counts as JSON to FILE")
	fs.StringVar(&opts.color, "color", "auto", "colour: auto (on a terminal, unless NO_COLOR is set), always or never")
	fs.BoolVarP(&opts.quiet, "quiet", "q", false, "print nothing; only the exit code tells")
	return c
}

func runReport(ios *iostreams.IOStreams, opts *reportOptions) error {
	colour, err := useColor(opts.color, ios)
	if err != nil {
		return err
	}
	var summary *records.Summary
	if opts.summaryJSON != "" {
		if summary, err = records.CreateSummary(opts.summaryJSON); err != nil {
			return usageError("--summary-json: %v", unwrapPath(err))
		}
		defer summary.Close()
	}
	var merged records.Merged
	for _, path := range opts.files {
		if err := addResults(ios, &merged, path); err != nil {
			return err
		}
	}
	var failures []console.Failure
	sum := merged.Summary(func(j *runner.Record) {
		if (j.Status == runner.Failed || j.Status == runner.TimedOut) && len(failures) < console.MaxListedFailures {
			failures = append(failures, console.Failure{Result: resultOf(*j)})
		}
	})
	code := exitOK
	if sum.Failed+sum.TimedOut+sum.Canceled > 0 {
		code = exitFailures
	}
	if !opts.quiet {
		fmt.Fprintf(ios.ErrOut, "drover: report of %s (wall time from the first start to the last finish)\n", console.Plural(len(opts.files), "results file"))
		console.PrintSummary(ios.ErrOut, console.NewPalette(colour), sum, failures)
	}
	if summary != nil {
		if err := summary.Finish(records.Outcome{Summary: sum, ExitCode: code}); err != nil {
			return usageError("--summary-json: %v", err)
		}
	}
	return silent(code)
}

// addResults reads the results file at path into merged, with a warning
// for each record cut short.
func addResults(ios *iostreams.IOStreams, merged *records.Merged, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError("%v", unwrapPath(err))
	}
	cut, err := merged.Add(f, path)
	f.Close()
	if err != nil {
		return usageError("%v", err)
	}
	for _, line := range cut {
		fmt.Fprintf(ios.ErrOut, "drover: %s:%d: ignored a record cut short\n", path, line)
	}
	return nil
}

// resultOf rebuilds what the summary shows of a job from its record.
func resultOf(rec runner.Record) *runner.Result {
	res := &runner.Result{Job: &jobspec.Job{ID: rec.ID, Record: parsePosition(rec.Record)}, Status: rec.Status, ExitCode: rec.ExitCode, Attempts: rec.Attempts}
	if rec.Signal != nil {
		res.Signal = *rec.Signal
	}
	if rec.Error != nil {
		res.Err = errors.New(*rec.Error)
	}
	return res
}

// parsePosition reads a record's "FILE:LINE" back.
func parsePosition(s string) jobspec.Position {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return jobspec.Position{File: s}
	}
	line, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return jobspec.Position{File: s}
	}
	return jobspec.Position{File: s[:i], Line: line}
}
