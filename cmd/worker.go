package cmd

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/interrupt"
	"github.com/drover/drover/cmd/iostreams"
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
			return runWorker(ios, opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&opts.nats, "nats", "", "URL of the NATS server (with JetStream); a comma-separated list for a cluster")
	fs.IntVarP(&opts.jobs, "jobs", "j", 4, "at most N jobs run at once")
	fs.IntVar(&opts.prefetch, "prefetch", 0, "jobs taken ahead of the running ones, ready to start; one more may be in hand (default: as many as --jobs)")
	fs.DurationVar(&opts.ackWait, "ack-wait", fleet.DefaultAckWait, "ack deadline of the workers' consumer, when this worker creates it")
	fs.IntVar(&opts.maxDeliver, "max-deliver", 5, "fail a job, without running it, once it has been delivered more often than N")
	fs.DurationVar(&opts.killGrace, "kill-grace", 2*time.Second, "time between SIGTERM and SIGKILL when a job is stopped")
	fs.DurationVar(&opts.retryDelay, "retry-delay", 500*time.Millisecond, "base retry delay (exponential backoff, full jitter)")
	fs.DurationVar(&opts.retryMaxDelay, "retry-max-delay", 30*time.Second, "cap on one retry delay")
	fs.StringVar(&opts.outputLimit, "output-limit", "256KiB", "bytes of each of a job's stdout and stderr sent back with its result")
	fs.BoolVarP(&opts.quiet, "quiet", "q", false, "log only problems, not every job")
	return c
}

func runWorker(ios *iostreams.IOStreams, opts *workerOptions) error {
	switch {
	case opts.nats == "":
		return usageError("worker needs --nats URL")
	case opts.jobs < 1:
		return usageError("--jobs must be at least 1, got %d", opts.jobs)
	case opts.prefetch < 0:
		return usageError("--prefetch must not be negative, got %d", opts.prefetch)
	case opts.maxDeliver < 1:
		return usageError("--max-deliver must be at least 1, got %d", opts.maxDeliver)
	case opts.ackWait < time.Second:
		return usageError("--ack-wait must be at least 1s")
	case opts.killGrace < 0 || opts.retryDelay < 0 || opts.retryMaxDelay < 0:
		return usageError("durations must not be negative")
	}
	limit, err := parseSize(opts.outputLimit)
	if err != nil || limit > 512<<10 {
		return usageError("--output-limit: want a size from 1 byte to 512KiB, got %q", opts.outputLimit)
	}
	if opts.prefetch == 0 {
		opts.prefetch = opts.jobs
	}

	logger := log.New(ios.ErrOut, "drover worker: ", 0) // one write per line, safe for concurrent use
	logf := func(quietToo bool, s string) {
		if !opts.quiet || quietToo {
			logger.Print(s)
		}
	}
	host, _ := os.Hostname()
	name := fmt.Sprintf("%s:%d", host, os.Getpid())
	nc, err := fleet.Connect(opts.nats, "drover worker "+name, func(s string) {
		if s == "" {
			s = "connected to NATS again"
		}
		logf(true, s)
	})
	if err != nil {
		return usageError("%v", err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w, err := fleet.NewWorker(ctx, nc, fleet.WorkerConfig{
		Jobs: opts.jobs, Prefetch: opts.prefetch, AckWait: opts.ackWait, MaxDeliver: opts.maxDeliver,
		KillGrace: opts.killGrace, RetryDelay: opts.retryDelay, RetryMaxDelay: opts.retryMaxDelay,
		Environ: ios.Environ(), OutputLimit: limit, Name: name,
		Log: func(s string) { logf(false, s) },
	})
	if err != nil {
		return usageError("NATS server at %s: %v", opts.nats, err)
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for level := 0; ; {
			select {
			case <-done:
				return
			case sig := <-sigs:
				level++
				switch level {
				case 1:
					w.Drain()
					logf(true, fmt.Sprintf("%s: draining: no new job; waiting for %s to finish (another signal stops them and hands them back)", interrupt.SignalName(sig), console.Plural(w.Running(), "running job")))
				case 2:
					w.Stop()
					logf(true, fmt.Sprintf("%s: stopping %s and handing them back (another signal kills them now)", interrupt.SignalName(sig), console.Plural(w.Running(), "running job")))
				default:
					w.Kill()
					logf(true, fmt.Sprintf("%s: killing %s now", interrupt.SignalName(sig), console.Plural(w.Running(), "running job")))
				}
			}
		}
	}()
	logf(true, fmt.Sprintf("%s: pulling jobs from %s, running up to %d at once", name, opts.nats, opts.jobs))
	err = w.Run(context.Background())
	close(done)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	logf(true, "drained; every job taken was finished or handed back")
	return nil
}
