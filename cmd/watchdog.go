package cmd

import (
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner"
)

// watchdogCommand is the hidden argument that makes drover the watchdog
// of another drover's jobs (runner.ServeWatchdog): `drover __watchdog
// --kill-grace DUR`, its stdin the pipe from the drover it watches.
const watchdogCommand = "__watchdog"

func newWatchdogCmd(ios *iostreams.IOStreams) *cobra.Command {
	var grace time.Duration
	c := &cobra.Command{
		Use:    watchdogCommand,
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			// The drover it watches decides what its jobs get while it
			// lives; a signal meant for drover by name is not for this.
			signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
			return runner.ServeWatchdog(ios.In, grace)
		},
	}
	c.Flags().DurationVar(&grace, "kill-grace", 2*time.Second, "between SIGTERM and SIGKILL")
	return c
}

// startWatchdog starts the watchdog of the jobs this drover runs: drover
// itself, run again with the hidden argument. When it cannot be started,
// the jobs run without it, and note says what that means; where drover is
// no program of its own (ios.Executable is nil), they run without it
// silently.
func startWatchdog(ios *iostreams.IOStreams, grace time.Duration, note func(string)) *runner.Watchdog {
	if ios.Executable == nil {
		return nil
	}
	exe, err := ios.Executable()
	var wd *runner.Watchdog
	if err == nil {
		// argv[0] is "drover" whatever this one was called: what a test
		// binary that doubles as drover goes by.
		wd, err = runner.StartWatchdog(exe, []string{"drover", watchdogCommand, "--kill-grace", grace.String()})
	}
	if err != nil {
		note(fmt.Sprintf("no watchdog (%v): should drover be killed, what its jobs started may outlive it", err))
		return nil
	}
	return wd
}
