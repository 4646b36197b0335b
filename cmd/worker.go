package cmd

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/interrupt"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner"
	"github.com/drover/drover/runner/fleet"
)

// workerOptions holds what `drover worker` is told.
type workerOptions struct {
	nats          string
	jobs          int
	prefetch      int // 0: as many as --jobs
	ackWait       time.Duration
	maxDeliver    int
	killGrace     time.Duration
	retryDelay    time.Duration
	retryMaxDelay time.Duration
	outputLimit   string
	quiet         bool
	conn          natsConn // credentials and --prefix
	ns            natsNamespace
	changed       func(flag string) bool
	throttle      throttleOptions
}

// workerSetup is what a worker works out from its options, which keep
// only what the flags said.
type workerSetup struct {
	url         string // --nats, or $DROVER_NATS_URL
	prefetch    int    // --prefetch; --jobs for 0
	replicas    int    // 0 takes the streams' as they are
	outputLimit int    // --output-limit in bytes
	limits      runner.Throttle
	watchdog    *runner.Watchdog // stops the jobs' groups should the worker die; nil without one
}

func newWorkerCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &workerOptions{}
	c := &cobra.Command{
		Use:   "worker --nats URL [flags]",
		Short: "Run jobs that drover run --nats submits, pulled from NATS JetStream",
		Long: `worker pulls jobs from the NATS JetStream work queue that 'drover run --nats'
fills, runs them at most --jobs at a time with the local runner (timeouts,
retries, process-group kills), sends each result back, then acknowledges
the job. While a job runs, the worker tells the server it is still at work,
so the ack deadline can stay short: a worker that dies loses nothing, as
its unacknowledged jobs go to another worker when the deadline passes.

SIGINT, SIGTERM or SIGHUP drains the worker: it takes no new job, hands the
jobs it has taken but not started back to the queue at once, lets the
running jobs finish, and exits 0. A second signal stops the running jobs
and hands them back too; a third kills them.`,
		Example: `  drover worker --nats nats://queue.example:4222 -j 8`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.changed = c.Flags().Changed
			return runWorker(ios, opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&opts.nats, "nats", "", "URL of the NATS server (with JetStream); a comma-separated list for a cluster (default $"+envNATSURL+")")
	fs.VarP(newJobsValue(&opts.jobs, 4), "jobs", "j", "at most N jobs run at once (N, or N%, +N, -N of the CPUs; 0: as many as possible)")
	fs.IntVar(&opts.prefetch, "prefetch", 0, "jobs taken ahead of the running ones, ready to start; one more may be in hand (default: as many as --jobs)")
	fs.DurationVar(&opts.ackWait, "ack-wait", fleet.DefaultAckWait, "ack deadline of the workers' consumer, when this worker creates it")
	fs.IntVar(&opts.maxDeliver, "max-deliver", 5, "fail a job, without running it, once it has been delivered more often than N")
	fs.DurationVar(&opts.killGrace, "kill-grace", 2*time.Second, "time between SIGTERM and SIGKILL when a job is stopped")
	fs.DurationVar(&opts.retryDelay, "retry-delay", 500*time.Millisecond, "base retry delay (exponential backoff, full jitter)")
	fs.DurationVar(&opts.retryMaxDelay, "retry-max-delay", 30*time.Second, "cap on one retry delay")
	fs.StringVar(&opts.outputLimit, "output-limit", "256KiB", "bytes of each of a job's stdout and stderr sent back with its result")
	fs.BoolVarP(&opts.quiet, "quiet", "q", false, "log only problems, not every job")
	opts.conn.addFlags(fs)
	opts.ns.addFlags(fs, "")
	opts.throttle.addFlags(fs)
	return c
}

func runWorker(ios *iostreams.IOStreams, opts *workerOptions) error {
	setup, err := opts.check(ios)
	if err != nil {
		return err
	}
	logger := log.New(ios.ErrOut, "drover worker: ", 0) // one write per line, safe for concurrent use
	logf := func(quietToo bool, s string) {
		if !opts.quiet || quietToo {
			logger.Print(s)
		}
	}
	host, _ := os.Hostname()
	name := fmt.Sprintf("%s:%d", host, os.Getpid())
	setup.watchdog = startWatchdog(ios, opts.killGrace, func(s string) { logf(true, s) })
	defer setup.watchdog.Close()
	w, srv, err := opts.connect(ios, setup, name, logf)
	if err != nil {
		return err
	}
	defer srv.Conn().Close()

	stopSignals := interrupt.Escalate(w, func(step interrupt.Step, sig os.Signal) {
		logf(true, workerStepNotice(step, sig, w.Running()))
	})
	logf(true, fmt.Sprintf("%s: pulling jobs from %s, running up to %d at once", name, where(fleet.Redact(setup.url), srv.Names()), opts.jobs))
	err = w.Run(context.Background())
	stopSignals()
	if err != nil {
		return runFailure(fmt.Errorf("worker: %w", err))
	}
	logf(true, "drained; every job taken was finished or handed back")
	return nil
}

// check checks the flags and works out the worker's setup.
func (o *workerOptions) check(ios *iostreams.IOStreams) (*workerSetup, error) {
	if err := o.checkBounds(); err != nil {
		return nil, err
	}
	ws := &workerSetup{url: natsURL(ios, o.nats), prefetch: o.prefetch}
	if ws.prefetch == 0 {
		ws.prefetch = o.jobs
	}
	switch {
	case ws.url == "":
		return nil, usageError("worker needs --nats URL (or %s)", envNATSURL)
	case o.jobs < 1:
		return nil, usageError("--jobs must be at least 1, got %d", o.jobs)
	case o.prefetch < 0:
		return nil, usageError("--prefetch must not be negative, got %d", o.prefetch)
	case o.maxDeliver < 1:
		return nil, usageError("--max-deliver must be at least 1, got %d", o.maxDeliver)
	case o.ackWait < time.Second:
		return nil, usageError("--ack-wait must be at least 1s")
	case o.killGrace < 0 || o.retryDelay < 0 || o.retryMaxDelay < 0:
		return nil, usageError("durations must not be negative")
	}
	size, err := parseSize(o.outputLimit, 1, 512<<10)
	if err != nil {
		return nil, usageError("--output-limit: %v", err)
	}
	ws.outputLimit = int(size)
	if ws.limits, err = o.throttle.throttle(); err != nil {
		return nil, err
	}
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	if ws.replicas, err = o.ns.resolve(changed); err != nil {
		return nil, err
	}
	if _, err := o.conn.namespace(ios); err != nil {
		return nil, err
	}
	return ws, nil
}

// connect connects to the NATS server as the worker called name and makes
// the worker; the caller closes the server's connection.
func (o *workerOptions) connect(ios *iostreams.IOStreams, ws *workerSetup, name string, logf func(bool, string)) (*fleet.Worker, *fleet.Server, error) {
	srv, err := o.conn.open(ios, ws.url, "drover worker "+name, ws.replicas, func(s string) {
		if s == "" {
			s = "connected to NATS again"
		}
		logf(true, s)
	})
	if err != nil {
		return nil, nil, err
	}
	nc := srv.Conn()
	ctx, cancel := context.WithTimeout(context.Background(), openLimit)
	defer cancel()
	w, err := fleet.NewWorker(ctx, srv, fleet.WorkerConfig{
		Jobs: o.jobs, Prefetch: ws.prefetch, AckWait: o.ackWait, MaxDeliver: o.maxDeliver,
		KillGrace: o.killGrace, RetryDelay: o.retryDelay, RetryMaxDelay: o.retryMaxDelay,
		Environ: jobEnviron(ios.Environ()), OutputLimit: ws.outputLimit, Name: name, Throttle: ws.limits,
		Log: func(s string) { logf(false, s) }, Watchdog: ws.watchdog,
	})
	if err != nil {
		nc.Close()
		return nil, nil, o.conn.fail(ios, ws.url, err)
	}
	return w, srv, nil
}

// workerStepNotice says what a signal made the worker do.
func workerStepNotice(step interrupt.Step, sig os.Signal, running int) string {
	jobs := runner.Plural(running, "running job")
	switch step {
	case interrupt.StepDrain:
		return fmt.Sprintf("%s: draining: no new job; waiting for %s to finish (another signal stops them and hands them back)", interrupt.SignalName(sig), jobs)
	case interrupt.StepStop:
		return fmt.Sprintf("%s: stopping %s and handing them back (another signal kills them now)", interrupt.SignalName(sig), jobs)
	}
	return fmt.Sprintf("%s: killing %s now", interrupt.SignalName(sig), jobs)
}
