package cmd

import (
	"fmt"
	"github.com/drover/drover/runner"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/runner/fleet"
)

// finishDetached ends a detached submission: no summary of results (the
// workers have just begun), a line that says what was queued and how to
// collect it, and the exit code of the submission: 0 once every job is
// queued or skipped, 1 when a job could not be queued, 2 for bad input.
func finishDetached(ios *iostreams.IOStreams, opts *runOptions, out outcome, sub *fleet.Submitter, rec *records.Set) error {
	if out.err != nil {
		printError(ios.ErrOut, out.err)
	}
	code := runExitCode(out)
	if !opts.quiet {
		collect := "drover wait " + sub.RunID()
		if opts.results != "" {
			collect += " --results " + opts.results
		}
		fmt.Fprintf(ios.ErrOut, "drover: run %s: %s queued", sub.RunID(), runner.Plural(sub.Queued(), "job"))
		if out.sum.Skipped > 0 {
			fmt.Fprintf(ios.ErrOut, ", %d skipped", out.sum.Skipped)
		}
		if out.sum.Failed > 0 {
			fmt.Fprintf(ios.ErrOut, ", %d could not be queued", out.sum.Failed)
		}
		fmt.Fprintf(ios.ErrOut, "; '%s' collects the results, 'drover status %s' shows it, 'drover cancel %s' stops it\n", collect, sub.RunID(), sub.RunID())
	}
	for _, err := range rec.Finish(records.Outcome{Summary: out.sum, Interrupted: signalNameOf(out.interrupted), ExitCode: code}) {
		printError(ios.ErrOut, err)
		if out.interrupted == nil {
			code = exitUsage
		}
	}
	return silent(code)
}
