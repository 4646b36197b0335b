package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/cmd/reports"
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// reportOptions holds what `drover report` is told.
type reportOptions struct {
	files       []string
	summaryJSON string
	color       string
	quiet       bool
	expectJobs  int // -1: any number
	shards      int // 0: not checked
	reports     reportFlags
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
canceled, 2 when the files do not say what became of every job: a file that
is missing or cannot be read, a line that is not a record, a status drover
does not know, a record cut short in the middle of a file, or, with
--expect-jobs and --shards, jobs or shards missing.

A job with several records (a run resumed with --resume appends to its
results file) counts once, with its last record: files are read in the
order given, each from top to bottom. A skipped record never replaces an
earlier record of the same job. Only the last line of a file, cut short by
a crash while it was written, is ignored, with a warning; a record cut short
in the middle of a file is ignored only when a later record of the same
job follows (a resumed run ran it again).

--junit and --html write a JUnit XML and an HTML report of the merged jobs;
under GitHub Actions report appends a summary to $GITHUB_STEP_SUMMARY and
writes ::error annotations, as run does. A job's stderr shows in them when
its run saved it with --output-dir (read from the record's stderr_file).`,
		Example: `  drover report shard-*.ndjson
  drover report --shards 4 --expect-jobs 1200 shard-1.ndjson shard-2.ndjson \
      shard-3.ndjson shard-4.ndjson
  drover report --summary-json summary.json results/*.ndjson
  drover report --junit junit.xml --html report.html shard-*.ndjson`,
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
	fs.IntVar(&opts.expectJobs, "expect-jobs", -1, "exit 2 unless the files hold exactly N jobs")
	fs.IntVar(&opts.shards, "shards", 0, "the files are the results of drover run --shard K/N with this N: exit 2 unless every shard has records")
	opts.reports.addFlags(fs)
	return c
}

func runReport(ios *iostreams.IOStreams, opts *reportOptions) error {
	colour, err := useColor(opts.color, ios)
	if err != nil {
		return err
	}
	if err := opts.checkBounds(); err != nil {
		return err
	}
	if err := opts.checkOutputs(); err != nil {
		return err
	}
	var summary *records.Summary
	if opts.summaryJSON != "" {
		if summary, err = records.CreateSummary(opts.summaryJSON); err != nil {
			return usageError("--summary-json: %v", unwrapPath(err))
		}
		defer summary.Close()
	}
	var set records.Set
	defer set.Close()
	collectors, err := opts.reports.open(ios, &set, true)
	if err != nil {
		return err
	}
	switch {
	case opts.expectJobs < -1:
		return usageError("--expect-jobs must not be negative")
	case opts.shards < 0:
		return usageError("--shards must not be negative")
	}
	merged, err := runner.MergeResults(opts.files, runner.MergeOptions{ExpectJobs: opts.expectJobs, Shards: opts.shards})
	if merged != nil && !opts.quiet {
		for _, w := range merged.Warnings {
			fmt.Fprintf(ios.ErrOut, "drover: %s\n", termtext.Escape(w))
		}
	}
	if err != nil {
		return usageError("%v", unwrapPath(err))
	}
	sum, failures, heaviest := tallyRecords(merged, summary, collectors)
	code := exitOK
	if sum.Failed+sum.TimedOut+sum.Canceled+sum.DepFailed > 0 {
		code = exitFailures
	}
	if !opts.quiet {
		fmt.Fprintf(ios.ErrOut, "drover: report of %s (wall time from the first start to the last finish)\n", runner.Plural(len(opts.files), "results file"))
		console.PrintSummary(ios.ErrOut, console.NewPalette(colour), sum, failures)
		console.PrintHeaviest(ios.ErrOut, heaviest)
	}
	if summary != nil {
		if err := summary.Finish(records.Outcome{Summary: sum, ExitCode: code}); err != nil {
			return usageError("--summary-json: %v", err)
		}
	}
	for _, err := range set.Finish(records.Outcome{Summary: sum, ExitCode: code}) {
		printError(ios.ErrOut, err)
		code = exitUsage
	}
	return silent(code)
}

// tallyRecords counts the merged records into a summary, with the failures
// it lists and the heaviest jobs, and hands each record to the summary
// file and the reports.
func tallyRecords(merged *runner.Merged, summary *records.Summary, collectors []collector) (runner.Summary, []console.Failure, *runner.Heaviest) {
	var sum runner.Summary
	var failures []console.Failure
	heaviest := runner.NewHeaviest(runner.HeaviestListed)
	for _, j := range merged.Records {
		if j.Status != runner.Skipped {
			heaviest.Add(j.ID, j.Usage())
		}
		if summary != nil {
			summary.Record(resultOf(*j))
		}
		sum.Jobs++
		sum.Retries += max(j.Attempts-1, 0)
		sum.Add(j.Status)
		if j.Status == runner.DepFailed {
			sum.CountBlocked(j.BlockedBy)
		}
		if (j.Status == runner.Failed || j.Status == runner.TimedOut) && len(failures) < console.MaxListedFailures {
			failures = append(failures, console.Failure{Result: resultOf(*j)})
		}
		if len(collectors) > 0 {
			var tail []byte
			if j.Status != runner.Succeeded {
				tail = reports.ReadStderrTail(j.StderrFile)
			}
			for _, c := range collectors {
				c.Add(*j, tail)
			}
		}
	}
	if !merged.First.IsZero() {
		sum.Duration = merged.Last.Sub(merged.First)
	}
	return sum, failures, heaviest
}

// resultOf rebuilds what the summary shows of a job from its record.
func resultOf(rec runner.Record) *runner.Result {
	job := &jobspec.Job{ID: rec.ID, Record: parsePosition(rec.Record), Args: rec.Args}
	var command string
	if json.Unmarshal(rec.Cmd, &command) == nil {
		job.Argv, job.Shell = []string{command}, true
	} else {
		_ = json.Unmarshal(rec.Cmd, &job.Argv) // the label goes without a command it cannot read
	}
	res := &runner.Result{Job: job, Status: rec.Status, ExitCode: rec.ExitCode, Attempts: rec.Attempts, Usage: rec.Usage()}
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
