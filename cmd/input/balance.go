package input

import (
	"cmp"
	"errors"
	"io"
	"slices"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// The ways a job comes to its shard, as records name them.
const (
	ShardByHash    = "hash"
	ShardByBalance = "balance"
)

// Balanced is one shard of a job list split by recorded durations: the
// jobs with a history are dealt out longest first, each to the shard with
// the least work so far (longest-processing-time first), and the others
// go by their id's hash, as jobspec.Shard has them. Every machine that
// reads the same list and the same history deals the same hands: the
// jobs are taken in the order (duration descending, id), and of shards
// with equal work the lowest is chosen. It is read-only once made.
type Balanced struct {
	shard jobspec.Shard
	dealt map[string]int // id -> shard, for the jobs with a history
}

// Balance reads the whole input once, before the check, to deal out the
// jobs that hist knows, and returns shard's part; then it goes back to
// the input's start. A job without a history weighs the history's median in its
// hash's shard before the others are dealt. Bad records are passed over:
// the check that follows reports them.
func Balance(in *Input, shard jobspec.Shard, hist *runner.History) (*Balanced, error) {
	type known struct {
		id  string
		dur int64
	}
	var jobs []known
	load := make([]int64, shard.N)
	dec := in.Decoder()
	for {
		job, err := dec.Next()
		var fatal *jobspec.InputError
		if err == io.EOF || errors.As(err, &fatal) {
			break
		} else if jobspec.IsInputError(err) {
			continue
		} else if err != nil {
			dec.Close()
			return nil, err
		}
		if d, ok := hist.Duration(job.ID); ok {
			jobs = append(jobs, known{job.ID, d})
		} else {
			load[jobspec.ShardOf(job.ID, shard.N)-1] += hist.Median()
		}
	}
	dec.Close()
	slices.SortFunc(jobs, func(a, b known) int { return cmp.Or(cmp.Compare(b.dur, a.dur), cmp.Compare(a.id, b.id)) })
	b := &Balanced{shard: shard, dealt: make(map[string]int, len(jobs))}
	for _, j := range jobs {
		k := lightest(load)
		load[k] += j.dur
		b.dealt[j.id] = k + 1
	}
	return b, in.reread()
}

// lightest is the index of the least load, the lowest of equals.
func lightest(load []int64) int {
	k := 0
	for i, l := range load {
		if l < load[k] {
			k = i
		}
	}
	return k
}

// Holds reports whether the job is in this shard.
func (b *Balanced) Holds(job *jobspec.Job) bool { return b.ShardOf(job.ID) == b.shard.K }

// ShardOf is the shard, from 1 to N, that the job with this id is in.
func (b *Balanced) ShardOf(id string) int {
	if k, ok := b.dealt[id]; ok {
		return k
	}
	return jobspec.ShardOf(id, b.shard.N)
}

// Method says how the job with this id came to its shard: ShardByBalance
// or ShardByHash.
func (b *Balanced) Method(id string) string {
	if _, ok := b.dealt[id]; ok {
		return ShardByBalance
	}
	return ShardByHash
}
