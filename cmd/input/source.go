package input

import (
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// ShardSource passes on the jobs of one shard and every error. Its
// Interrupt, when Wake is set, gives up a read waiting for input.
type ShardSource struct {
	Src   runner.Source
	Shard Filter
	Wake  func()
}

// Next returns the next job of the shard, or the source's error.
func (s ShardSource) Next() (*jobspec.Job, error) {
	for {
		job, err := s.Src.Next()
		if err != nil || s.Shard.Holds(job) {
			return job, err
		}
	}
}

// Interrupt gives up a read waiting for input, when the source can.
func (s ShardSource) Interrupt() {
	if s.Wake != nil {
		s.Wake()
	}
}
