package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/input"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// The values of --order.
const (
	orderInput   = "input"
	orderLongest = "longest"
)

// orderOptions are the flags that order and split a job list by what
// earlier runs recorded.
type orderOptions struct {
	order     string
	history   []string
	balanceBy []string
}

func (o *orderOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.order, "order", orderInput, "start order: input, or longest (by the --history's last durations, longest first)")
	fs.StringArrayVar(&o.history, "history", nil, "with --order longest, the results FILE of an earlier run to take durations from (repeatable; default: the --results file, when it exists)")
	fs.StringArrayVar(&o.balanceBy, "balance-by", nil, "with --shard K/N, split the jobs so that each shard's recorded durations in FILE (a results file; repeatable) add up alike")
}

// check checks the flags against each other.
func (o *orderOptions) check(shard string) error {
	switch {
	case o.order != orderInput && o.order != orderLongest:
		return usageError("--order must be input or longest, got %q", o.order)
	case len(o.history) > 0 && o.order != orderLongest:
		return usageError("--history is read only with --order longest")
	case len(o.balanceBy) > 0 && shard == "":
		return usageError("--balance-by needs --shard K/N")
	}
	return nil
}

// jobPlan is which of the input's jobs a run holds and in which order
// they start, worked out from the flags, the history and the input before
// any job starts.
type jobPlan struct {
	held input.Filter // the jobs of the run's shard (all, without --shard)
	// table orders a regular file's jobs with --order longest; it is in
	// held, and is filled in by the check.
	table *input.OrderTable
	// priority orders a stream's queue with --order longest.
	priority func(*jobspec.Job) int64
	// method says how a job came to its shard; nil without --shard.
	method func(id string) string
}

// planJobs makes the run's plan. With --balance-by it reads the input once
// and rewinds it.
func (o *runOptions) planJobs(ios *iostreams.IOStreams, in *input.Input, shard jobspec.Shard) (jobPlan, error) {
	plan := jobPlan{held: shard}
	if shard.N > 0 {
		plan.method = func(string) string { return input.ShardByHash }
	}
	if len(o.cost.balanceBy) > 0 {
		if !in.IsFile() {
			return jobPlan{}, usageError("--balance-by needs a regular file to read the whole list from, not %s", in.Name)
		}
		hist, err := runner.ReadHistory(o.cost.balanceBy)
		if err != nil {
			return jobPlan{}, usageError("--balance-by: %v", unwrapPath(err))
		}
		b, err := input.Balance(in, shard, hist)
		if err != nil {
			return jobPlan{}, usageError("%s: %v", in.Name, err)
		}
		plan.held, plan.method = b, b.Method
	}
	if o.cost.order != orderLongest {
		return plan, nil
	}
	hist, err := o.readHistory(ios)
	if err != nil {
		return jobPlan{}, err
	}
	weigh := func(j *jobspec.Job) int64 { return hist.Estimate(j.ID) }
	if in.IsFile() {
		plan.table = input.NewOrderTable(plan.held, weigh)
		plan.held = plan.table
	} else {
		plan.priority = weigh
	}
	return plan, nil
}

// readHistory reads the --history files, or the --results file when
// there are none and it exists; with neither, it says that the jobs will
// start in input order.
func (o *runOptions) readHistory(ios *iostreams.IOStreams) (*runner.History, error) {
	paths := o.cost.history
	if len(paths) == 0 && o.results != "" {
		if _, err := os.Stat(o.results); err == nil {
			paths = []string{o.results}
		}
	}
	if len(paths) == 0 {
		fmt.Fprintln(ios.ErrOut, "drover: --order longest: no history (no --history FILE, and no --results file of an earlier run); the jobs start in input order")
	}
	hist, err := runner.ReadHistory(paths)
	if err != nil {
		return nil, usageError("--history: %v", unwrapPath(err))
	}
	return hist, nil
}

// source is where the run takes its jobs from: the order table's passes
// over a file, or the decoder through the shard's filter.
func (p jobPlan) source(in *input.Input, dec *jobspec.Decoder, wake func()) runner.Source {
	if p.table != nil {
		return p.table.Source(in)
	}
	return &input.ShardSource{Src: dec, Shard: p.held, Wake: wake}
}
