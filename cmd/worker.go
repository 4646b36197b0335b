package cmd

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/console"
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
	replicas      int // from ns, by check: 0 takes the streams' as they are
	throttle      throttleOptions
	limits        runner.Throttle // what check makes of throttle
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
	fs.VarP(newJobsValue(&opts.jobs, 4), "jobs", "j", "at most N jobs run at once (N, or N%, +N, -N of the CPUs)")
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
	opts.nats = natsURL(ios, opts.nats)
	limit, err := opts.check(ios)
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
	w, closeConn, err := opts.connect(ios, name, limit, logf)
	if err != nil {
		return err
	}
	defer closeConn()

	stopSignals := interrupt.Escalate(w, func(step interrupt.Step, sig os.Signal) {
		logf(true, workerStepNotice(step, sig, w.Running()))
	})
	logf(true, fmt.Sprintf("%s: pulling jobs from %s, running up to %d at once", name, where(fleet.Redact(opts.nats), opts.conn.names), opts.jobs))
	err = w.Run(context.Background())
	stopSignals()
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	logf(true, "drained; every job taken was finished or handed back")
	return nil
}

// check checks the flags and returns the --output-limit in bytes; a
// --prefetch of 0 becomes --jobs.
func (o *workerOptions) check(ios *iostreams.IOStreams) (limit int, err error) {
	if err := o.checkBounds(); err != nil {
		return 0, err
	}
	switch {
	case o.nats == "":
		return 0, usageError("worker needs --nats URL (or %s)", envNATSURL)
	case o.jobs < 1:
		return 0, usageError("--jobs must be at least 1, got %d", o.jobs)
	case o.prefetch < 0:
		return 0, usageError("--prefetch must not be negative, got %d", o.prefetch)
	case o.maxDeliver < 1:
		return 0, usageError("--max-deliver must be at least 1, got %d", o.maxDeliver)
	case o.ackWait < time.Second:
		return 0, usageError("--ack-wait must be at least 1s")
	case o.killGrace < 0 || o.retryDelay < 0 || o.retryMaxDelay < 0:
		return 0, usageError("durations must not be negative")
	}
	size, err := parseSize(o.outputLimit, 1, 512<<10)
	if err != nil {
		return 0, usageError("--output-limit: %v", err)
	}
	limit = int(size)
	if o.limits, err = o.throttle.throttle(); err != nil {
		return 0, err
	}
	if o.prefetch == 0 {
		o.prefetch = o.jobs
	}
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	if o.replicas, err = o.ns.resolve(changed); err != nil {
		return 0, err
	}
	if err := o.conn.namespace(ios); err != nil {
		return 0, err
	}
	return limit, nil
}

// connect connects to the NATS server as the worker called name and makes
// the worker; closeConn closes the connection.
func (o *workerOptions) connect(ios *iostreams.IOStreams, name string, limit int, logf func(bool, string)) (w *fleet.Worker, closeConn func(), err error) {
	nc, err := o.conn.dial(ios, o.nats, "drover worker "+name, func(s string) {
		if s == "" {
			s = "connected to NATS again"
		}
		logf(true, s)
	})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w, err = fleet.NewWorker(ctx, nc, fleet.WorkerConfig{
		Jobs: o.jobs, Prefetch: o.prefetch, AckWait: o.ackWait, MaxDeliver: o.maxDeliver,
		KillGrace: o.killGrace, RetryDelay: o.retryDelay, RetryMaxDelay: o.retryMaxDelay,
		Environ: ios.Environ(), OutputLimit: limit, Name: name, Throttle: o.limits,
		Log:    func(s string) { logf(false, s) },
		Prefix: o.conn.names.Prefix, Replicas: o.replicas,
	})
	if err != nil {
		nc.Close()
		return nil, nil, usageError("NATS server at %s: %v", fleet.Redact(o.nats), err)
	}
	return w, nc.Close, nil
}

// workerStepNotice says what a signal made the worker do.
func workerStepNotice(step interrupt.Step, sig os.Signal, running int) string {
	jobs := console.Plural(running, "running job")
	switch step {
	case interrupt.StepDrain:
		return fmt.Sprintf("%s: draining: no new job; waiting for %s to finish (another signal stops them and hands them back)", interrupt.SignalName(sig), jobs)
	case interrupt.StepStop:
		return fmt.Sprintf("%s: stopping %s and handing them back (another signal kills them now)", interrupt.SignalName(sig), jobs)
	}
	return fmt.Sprintf("%s: killing %s now", interrupt.SignalName(sig), jobs)
}
