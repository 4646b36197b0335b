package cmd

import "math"

// The upper bounds of the numeric flags (the README's "Limits"). Within
// them no value makes drover allocate in proportion to it before any job
// exists: --jobs sizes a table of slots and a channel, --queue (and a
// worker's --prefetch) a channel.
const (
	maxJobs   = 1 << 16       // --jobs
	maxQueue  = 1 << 20       // --queue, --prefetch
	maxShards = 1 << 16       // the N of --shard K/N, report's --shards
	maxCount  = 1_000_000_000 // any other count of jobs, failures or retries
	maxFD     = math.MaxInt32 // --events-fd
)

// bound is a numeric flag's value and its upper bound.
type bound struct {
	flag  string
	value int
	hi    int
}

// checkBounds returns a usage error for the first value past its bound.
// Lower bounds are each flag's own check.
func checkBounds(bounds ...bound) error {
	for _, b := range bounds {
		if b.value > b.hi {
			return usageError("%s must be at most %d, got %d", b.flag, b.hi, b.value)
		}
	}
	return nil
}

// checkBounds checks run's numeric flags against their upper bounds.
func (o *runOptions) checkBounds() error {
	return checkBounds(
		bound{"--jobs", o.jobs, maxJobs},
		bound{"--queue", o.queue, maxQueue},
		bound{"--retry-budget", int(o.retryBudget), maxCount},
		bound{"--max-failures", o.maxFailures.count, maxCount},
		bound{"--stop-on-success", o.stopOnSuccess, maxCount},
		bound{"--events-fd", o.eventsFD, maxFD},
	)
}

// checkBounds checks the worker's numeric flags against their upper
// bounds.
func (o *workerOptions) checkBounds() error {
	return checkBounds(
		bound{"--jobs", o.jobs, maxJobs},
		bound{"--prefetch", o.prefetch, maxQueue},
		bound{"--max-deliver", o.maxDeliver, maxCount},
	)
}

// checkBounds checks report's numeric flags against their upper bounds.
func (o *reportOptions) checkBounds() error {
	return checkBounds(
		bound{"--expect-jobs", o.expectJobs, maxCount},
		bound{"--shards", o.shards, maxShards},
	)
}
