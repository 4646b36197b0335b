package cmd

import (
	"context"
	"fmt"
	"github.com/drover/drover/runner"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner/fleet"
)

func newCancelCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &controlOptions{}
	c := &cobra.Command{
		Use:   "cancel RUN [flags]",
		Short: "Stop a fleet run: withdraw its queued jobs, stop its running ones",
		Long: `cancel stops a run, attached or detached: its jobs still on the queue are
withdrawn (they end not_started), its drover run, if still there, stops
submitting, and the workers stop its running jobs (SIGTERM to the process
group, SIGKILL after the worker's kill grace), which end canceled. cancel
waits at most --cancel-wait for those results; a running job whose worker
sent none by then is recorded canceled by cancel itself. A detached run's
results are then collected with drover wait; an attached drover run
records them itself and exits 1.

Exit 0 once the run is stopped (or was collected already: nothing to do);
2 for an unknown run or a server that cannot be reached.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.run = args[0]
			return runCancel(ios, opts)
		},
	}
	opts.addFlags(c)
	c.Flags().DurationVar(&opts.cancelWait, "cancel-wait", 30*time.Second, "how long to wait for the stopped jobs' results")
	return c
}

func runCancel(ios *iostreams.IOStreams, opts *controlOptions) error {
	if opts.cancelWait <= 0 {
		return usageError("--cancel-wait must be positive")
	}
	fc, err := opts.open(ios, "cancel")
	if err != nil {
		return err
	}
	defer fc.close()
	ctx, cancel := context.WithTimeout(context.Background(), opts.cancelWait+time.Minute)
	defer cancel()
	rep, err := fc.srv.Cancel(ctx, opts.run, opts.cancelWait)
	if err != nil {
		return fc.fail(err)
	}
	if rep.Already == fleet.Collected {
		fmt.Fprintf(ios.ErrOut, "drover: run %s was collected already; nothing to cancel\n", opts.run)
		return nil
	}
	fmt.Fprintf(ios.ErrOut, "drover: run %s canceled: %s withdrawn, %s stopped", opts.run,
		runner.Plural(rep.Withdrawn, "queued job"), runner.Plural(rep.Stopped, "running job"))
	if rep.Unanswered > 0 {
		fmt.Fprintf(ios.ErrOut, " (%d recorded canceled without a result from its worker)", rep.Unanswered)
	}
	if rep.SubmitterAlive {
		fmt.Fprintln(ios.ErrOut, "; its drover run records their results")
		return nil
	}
	fmt.Fprintf(ios.ErrOut, "; 'drover wait %s' collects its results\n", opts.run)
	return nil
}
