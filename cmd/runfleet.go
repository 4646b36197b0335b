package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
// rather than ignore them, and with --detach those that need a submitter
// that stays; without --nats, it refuses the flags of the namespace.
func (o *runOptions) checkNATSFlags(ios *iostreams.IOStreams) error {
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	if o.detach && o.nats == "" {
		return usageError("--detach needs --nats URL")
	}
	if o.nats == "" {
		for _, f := range []string{"replicas", "prefix"} {
			if changed(f) {
				return usageError("--%s needs --nats", f)
			}
		}
		return nil
	}
	if o.cancelWait <= 0 {
		return usageError("--cancel-wait must be positive")
	}
	if _, err := o.ns.resolve(changed); err != nil {
		return err
	}
	if _, err := o.conn.namespace(ios); err != nil {
		return err
	}
	for _, f := range workerFlags {
		if o.changed != nil && o.changed(f.name) {
			return usageError("--%s cannot be used with --nats: %s", f.name, f.instead)
		}
	}
	if o.haltMode == haltSoon {
		return usageError("--halt-mode soon cannot be used with --nats: the jobs already queued for the workers would still start; use --halt-mode now")
	}
	if !o.detach {
		return nil
	}
	for _, f := range []struct {
		set           bool
		name, instead string
	}{
		{o.maxFailures.count > 0 || o.maxFailures.percent > 0 || o.failFast, "--max-failures", "no one watches a detached run's failures; drover cancel stops it"},
		{o.stopOnSuccess > 0, "--stop-on-success", "no one watches a detached run's successes; drover cancel stops it"},
		{o.deadline > 0, "--deadline", "no one watches a detached run's clock; drover cancel stops it"},
		{o.summaryJSON != "", "--summary-json", "give it to drover wait"},
		{o.outputDir != "", "--output-dir", "give it to drover wait"},
		{o.keepOrder, "--keep-order", "give it to drover wait"},
		{o.reports.junit != "", "--junit", "run drover report --junit on the results drover wait writes"},
		{o.reports.html != "", "--html", "run drover report --html on the results drover wait writes"},
		{o.events != "" || o.eventsFD >= 0, "--events", "a detached run's events happen after drover has returned"},
	} {
		if f.set {
			return usageError("%s cannot be used with --detach: %s", f.name, f.instead)
		}
	}
	return nil
}

// newSubmitter connects to the NATS server and makes the run's submitter
// from the run's configuration. A server that cannot be reached, or
// without JetStream, is a usage error (exit 2), and so is a --resume of a
// results file whose fleet run is still open on the server: its jobs
// would be queued twice.
func (st *runState) newSubmitter(ios *iostreams.IOStreams, cfg runner.Config, note func(string)) (*fleet.Submitter, func(), error) {
	opts := st.opts
	host, _ := os.Hostname()
	replicas, _ := opts.ns.resolve(opts.changed) // checked with the other flags
	srv, err := opts.conn.open(ios, opts.nats, fmt.Sprintf("drover run on %s", host), replicas, func(s string) {
		if s == "" {
			s = "connected to NATS again"
		}
		note(s)
	})
	if err != nil {
		return nil, nil, err
	}
	nc := srv.Conn()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var results string
	if opts.results != "" {
		results, _ = filepath.Abs(opts.results)
	}
	if opts.resume {
		if err := st.checkResumable(ctx, srv, results, host); err != nil {
			nc.Close()
			return nil, nil, err
		}
	}
	sub, err := fleet.NewSubmitter(ctx, srv, fleet.SubmitConfig{
		Total: cfg.Total, InFlight: cfg.Queue, Timeout: cfg.Timeout, Retries: cfg.Retries, Shell: cfg.Shell,
		MaxFailures: cfg.MaxFailures, MaxFailurePercent: cfg.MaxFailurePercent, StopOnSuccess: cfg.StopOnSuccess,
		Deadline: cfg.Deadline, CancelWait: opts.cancelWait,
		Detach: opts.detach, Name: fmt.Sprintf("%s:%d", host, os.Getpid()), Results: results,
		Sink: cfg.Sink, Skip: cfg.Skip, Record: cfg.Record, Events: cfg.Events,
		Log: note,
	})
	if err != nil {
		nc.Close()
		return nil, nil, usageError("NATS server at %s: %v", fleet.Redact(opts.nats), err)
	}
	if st.results != nil {
		st.results.Run = sub.RunID()
	}
	if opts.detach {
		fmt.Fprintln(ios.Out, sub.RunID()) // for RUN=$(drover run --nats URL --detach jobs)
	}
	if !opts.quiet {
		fmt.Fprintf(ios.ErrOut, "drover: run %s: submitting to the workers of %s\n", sub.RunID(), where(fleet.Redact(opts.nats), srv.Names()))
	}
	return sub, nc.Close, nil
}

// checkResumable refuses a --resume while a fleet run of the results file
// is open on the server: named in its records, or submitted from this host
// with this results file. Its jobs may still be queued or running, or its
// results waiting to be collected.
func (st *runState) checkResumable(ctx context.Context, srv *fleet.Server, results, host string) error {
	opts := st.opts
	var named []string
	if st.previous != nil {
		named = st.previous.Runs
	}
	open, err := srv.Unfinished(ctx, named, results, host)
	if err != nil {
		return usageError("--resume: NATS server at %s: %v", fleet.Redact(opts.nats), err)
	}
	if len(open) == 0 {
		return nil
	}
	var b strings.Builder
	for _, r := range open {
		fmt.Fprintf(&b, "\n  run %s (%s, submitted by %s, %d jobs queued)", r.Run, r.State, r.Submitter, r.Queued)
	}
	r := open[0].Run
	return usageError("--resume: %s has %s still open on the server; resuming now would run its jobs twice:%s\n"+
		"collect it first with 'drover wait %s --results %s' (after 'drover cancel %s' to stop it), then resume",
		opts.results, runner.Plural(len(open), "run"), b.String(), r, opts.results, r)
}
