package input

import (
	"fmt"

	"github.com/drover/drover/jobspec"
)

// placement decides which jobs a shard holds when jobs have needs: a job
// without needs belongs to the shard its Filter says, a job with needs to
// the shard of its first need, so that a chain stays on one machine. A
// job whose needs lie in two shards cannot run on one: it is an input
// error under --shard. A placement keeps each job's shard, by Seq, for
// the jobs after it; it is used by one goroutine.
type placement struct {
	held Filter
	own  func(id string) int // the shard a job's id puts it in; nil: no split by shards here
	k    int                 // this run's shard
	of   []int32             // by Seq: the shard each job was placed in
}

// newPlacement places jobs for a run that holds what held holds: a
// jobspec.Shard or a *Balanced split. Any other Filter (the order table
// of --order longest, which refuses jobs with needs) decides alone.
func newPlacement(held Filter) *placement {
	p := &placement{held: held}
	switch f := held.(type) {
	case jobspec.Shard:
		if f.N > 0 {
			p.own, p.k = func(id string) int { return jobspec.ShardOf(id, f.N) }, f.K
		}
	case *Balanced:
		p.own, p.k = f.ShardOf, f.shard.K
	}
	return p
}

// holds reports whether the run holds job, or the input error of a job
// whose needs lie in two shards.
func (p *placement) holds(job *jobspec.Job) (bool, error) {
	if p.own == nil {
		return p.held.Holds(job), nil
	}
	k := p.own(job.ID)
	if len(job.Needs) > 0 {
		k = p.shardOf(job.Needs[0].Seq, k)
		for _, n := range job.Needs[1:] {
			if other := p.shardOf(n.Seq, k); other != k {
				return false, &jobspec.RecordError{Pos: job.Record, Err: fmt.Errorf(
					"under --shard a job's needs must lie in one shard, and %q (shard %d) and %q (shard %d) do not; a job goes to the shard of its first need",
					job.Needs[0].ID, k, n.ID, other)}
			}
		}
	}
	for len(p.of) <= job.Seq {
		p.of = append(p.of, 0)
	}
	p.of[job.Seq] = int32(k)
	return k == p.k, nil
}

// shardOf is the shard the job numbered seq was placed in; or, for a job
// not seen (never the case for a need, which comes earlier), def.
func (p *placement) shardOf(seq, def int) int {
	if seq < len(p.of) && p.of[seq] != 0 {
		return int(p.of[seq])
	}
	return def
}
