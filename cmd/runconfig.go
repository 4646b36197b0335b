package cmd

import (
	"fmt"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// runConfig checks the flags and turns them into a runner.Config and the
// shard to run.
func (o *runOptions) runConfig(ios *iostreams.IOStreams) (runner.Config, jobspec.Shard, error) {
	cfg, err := o.config(ios)
	if err == nil {
		err = o.cost.check(o.shard)
	}
	if err != nil {
		return cfg, jobspec.Shard{}, err
	}
	shard, err := o.shardToRun(ios)
	if err != nil {
		return runner.Config{}, jobspec.Shard{}, err
	}
	return cfg, shard, nil
}

// shardToRun reads --shard: K/N, or auto, from the CI's node variables,
// which it says it used unless -q.
func (o *runOptions) shardToRun(ios *iostreams.IOStreams) (jobspec.Shard, error) {
	switch {
	case o.shardCount < 0:
		return jobspec.Shard{}, usageError("--shard-count must not be negative")
	case o.shardCount > 0 && o.shard != shardAuto:
		return jobspec.Shard{}, usageError("--shard-count is for --shard auto")
	case o.shard == "":
		return jobspec.Shard{}, nil
	case o.shard == shardAuto:
		shard, from, err := autoShard(ios.Getenv, o.shardCount)
		if err != nil {
			return jobspec.Shard{}, usageError("%v", err)
		}
		if shard.N > maxShards {
			return jobspec.Shard{}, usageError("--shard auto: %s: N must be at most %d", from, maxShards)
		}
		if !o.quiet {
			fmt.Fprintf(ios.ErrOut, "drover: %s\n", from)
		}
		return shard, nil
	}
	shard, err := jobspec.ParseShard(o.shard)
	if err != nil {
		return jobspec.Shard{}, usageError("--shard: %v (or auto)", err)
	}
	if shard.N > maxShards {
		return jobspec.Shard{}, usageError("--shard: N must be at most %d, got %d", maxShards, shard.N)
	}
	return shard, nil
}

func (o *runOptions) config(ios *iostreams.IOStreams) (runner.Config, error) {
	if err := o.checkBounds(); err != nil {
		return runner.Config{}, err
	}
	switch {
	case o.jobs < 1:
		return runner.Config{}, usageError("--jobs must be at least 1, got %d", o.jobs)
	case o.queue < 0:
		return runner.Config{}, usageError("--queue must be at least 1, got %d", o.queue)
	case o.retries < 0 || o.retries > jobspec.MaxRetries:
		return runner.Config{}, usageError("--retries must be from 0 to %d, got %d", jobspec.MaxRetries, o.retries)
	case o.timeout < 0 || o.killGrace < 0 || o.retryDelay < 0 || o.retryMaxDelay < 0:
		return runner.Config{}, usageError("durations must not be negative")
	case o.resume && o.results == "":
		return runner.Config{}, usageError("--resume needs --results FILE")
	case o.shell == "":
		return runner.Config{}, usageError("--shell must not be empty")
	case o.keepOrder && o.output != console.OutputGroup:
		return runner.Config{}, usageError("--keep-order needs --output group")
	}
	cfg := runner.Config{
		Jobs: o.jobs, Queue: o.queue,
		Timeout: o.timeout, KillGrace: o.killGrace,
		Retries: o.retries, RetryDelay: o.retryDelay, RetryMaxDelay: o.retryMaxDelay,
		RetryBudget: int(o.retryBudget),
		Shell:       o.shell, Environ: jobEnviron(ios.Environ()),
	}
	throttle, err := o.throttle.throttle()
	if err != nil {
		return runner.Config{}, err
	}
	cfg.Throttle = throttle
	if cfg.Queue == 0 {
		cfg.Queue = 2 * o.jobs
		if o.nats != "" {
			cfg.Queue = defaultInFlight
		}
	}
	if err := o.checkNATSFlags(ios); err != nil {
		return runner.Config{}, err
	}
	if err := o.stopRules(&cfg); err != nil {
		return runner.Config{}, err
	}
	return cfg, nil
}
