package cmd

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner"
	"github.com/drover/drover/runner/fleet"
)

// defaultInFlight is --queue with --nats: the jobs submitted and not yet
// finished, at most.
const defaultInFlight = 1000

// workerFlags are run's flags that, with --nats, only workers honour, and
// what to do instead.
var workerFlags = []struct{ name, instead string }{
	{"jobs", "each worker's -j sets how many jobs it runs; --queue bounds the jobs in flight"},
	{"kill-grace", "give --kill-grace to drover worker"},
	{"retry-delay", "give --retry-delay to drover worker"},
	{"retry-max-delay", "give --retry-max-delay to drover worker"},
	{"delay", "the workers start the jobs: give --delay to drover worker"},
	{"rate", "the workers start the jobs: give --rate to drover worker"},
	{"memfree", "the workers start the jobs: give --memfree to drover worker"},
	{"load", "the workers start the jobs: give --load to drover worker"},
	{"retry-budget", "a retry budget shared by many machines is not supported; use retries per job"},
}

// checkNATSFlags refuses, with --nats, the flags that only workers honour,
// rather than ignore them.
func (o *runOptions) checkNATSFlags() error {
	if o.nats == "" {
		return nil
	}
	if o.cancelWait <= 0 {
		return usageError("--cancel-wait must be positive")
	}
	for _, f := range workerFlags {
		if o.changed != nil && o.changed(f.name) {
			return usageError("--%s cannot be used with --nats: %s", f.name, f.instead)
		}
	}
	return nil
}

// newSubmitter connects to the NATS server and makes the run's submitter
// from the run's configuration. A server that cannot be reached, or
// without JetStream, is a usage error (exit 2).
func newSubmitter(ios *iostreams.IOStreams, opts *runOptions, cfg runner.Config, note func(string)) (*fleet.Submitter, func(), error) {
	host, _ := os.Hostname()
	nc, err := fleet.Connect(opts.nats, fmt.Sprintf("drover run on %s", host), func(s string) {
		if s == "" {
			s = "connected to NATS again"
		}
		note(s)
	})
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := fleet.NewSubmitter(ctx, nc, fleet.SubmitConfig{
		InFlight: cfg.Queue, Timeout: cfg.Timeout, Retries: cfg.Retries, Shell: cfg.Shell,
		MaxFailures: cfg.MaxFailures, CancelWait: opts.cancelWait,
		Sink: cfg.Sink, Skip: cfg.Skip, Record: cfg.Record, Events: cfg.Events,
	})
	if err != nil {
		nc.Close()
		return nil, nil, usageError("NATS server at %s: %v", opts.nats, err)
	}
	if !opts.quiet {
		fmt.Fprintf(ios.ErrOut, "drover: run %s: submitting to the workers of %s\n", sub.RunID(), opts.nats)
	}
	return sub, nc.Close, nil
}
