package input

import (
	"fmt"

	"github.com/drover/drover/jobspec"
)

// placement decides which jobs a shard holds when jobs have needs: a job
// without needs belongs to the shard its id hashes to, a job with needs
// to the shard of its first need, so that a chain stays on one machine. A
// job whose needs lie in two shards cannot run on one: it is an input
// error under --shard. A placement keeps each job's shard, by Seq, for
// the jobs after it; it is used by one goroutine.
type placement struct {
	shard jobspec.Shard
	of    []int32 // by Seq: the shard each job was placed in
}

// holds reports whether the shard holds job, or the input error of a job
// whose needs lie in two shards.
func (p *placement) holds(job *jobspec.Job) (bool, error) {
	if p.shard.N == 0 {
		return true, nil
	}
	k := jobspec.ShardOf(job.ID, p.shard.N)
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
	return k == p.shard.K, nil
}

// shardOf is the shard the job numbered seq was placed in; or, for a job
// not seen (never the case for a need, which comes earlier), def.
func (p *placement) shardOf(seq, def int) int {
	if seq < len(p.of) && p.of[seq] != 0 {
		return int(p.of[seq])
	}
	return def
}
