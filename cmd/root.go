// Package cmd is drover's command line: the cobra command tree and, per
// command, an options struct, the wiring that fills it from flags, and a
// short function that composes the stages the packages below provide:
// input (the job list), the engine (runner, or runner/fleet with --nats),
// console (what a person sees), records (the files for scripts and CI) and
// interrupt (signals, a closed stdout). The mapping of outcomes to exit
// codes is exit.go's.
package cmd

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/iostreams"
)

// Main runs drover with the process's arguments and streams and returns
// the exit code.
func Main() int {
	// A write to a closed stdout must come back as an error that drover
	// handles, not kill it silently. A handled signal is reset to the
	// default in the jobs drover starts.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ios := iostreams.System()
	root := NewRootCmd(ios)
	root.SetArgs(protectLists(root, os.Args[1:]))
	return Execute(root, ios)
}

// Execute runs a command tree, prints its error once, and returns the exit
// code.
func Execute(root *cobra.Command, ios *iostreams.IOStreams) int {
	err := root.Execute()
	code := exitCode(err)
	if err != nil && !printed(err) {
		printError(ios.ErrOut, err)
		if code == exitUsage && isFlagError(err) {
			fmt.Fprintln(ios.ErrOut, "Run 'drover --help' for usage.")
		}
	}
	return code
}

// flagError marks cobra's own command-line errors.
type flagError struct{ error }

func (e flagError) Unwrap() error { return e.error }

func isFlagError(err error) bool {
	_, ok := err.(flagError)
	return ok
}

// NewRootCmd builds drover's command tree around ios.
func NewRootCmd(ios *iostreams.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "drover",
		Short: "Run batches of jobs with bounded concurrency, timeouts, retries and records",
		Long: `drover runs jobs at most N at a time, with per-job timeouts, capped retries,
a results file and a summary: jobs built from a command template and items
(as GNU parallel and xargs do), or listed in a JSON array, an NDJSON stream
or plain lines. See 'drover run --help' for every flag.`,
		Example: `  drover run --cmd 'gzip {}' ::: *.log          # one job per argument after :::
  find . -name '*.jpg' | drover run -j 8 --cmd 'convert {} {.}.png'
  drover run --timeout 5m --retries 2 --results res.ndjson jobs.ndjson
  drover report --junit junit.xml res.ndjson`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetUsageFunc(func(c *cobra.Command) error {
		_, err := io.WriteString(c.OutOrStderr(), usageText(c))
		return err
	})
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError{err} })
	root.AddCommand(newRunCmd(ios), newValidateCmd(ios), newReportCmd(ios), newWorkerCmd(ios), newStatusCmd(ios), newWaitCmd(ios), newCancelCmd(ios), newVersionCmd(ios),
		newSchemaCmd(ios), newManCmd(ios), newWatchdogCmd(ios))
	return root
}
