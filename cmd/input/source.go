package input

import (
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// ShardSource passes on the jobs of one shard and every error. Its
// Interrupt, when Wake is set, gives up a read waiting for input.
type ShardSource struct {
	Src   runner.Source
	Shard jobspec.Shard
	Wake  func()
	place *placement
}

// Next returns the next job of the shard, or the source's error.
func (s *ShardSource) Next() (*jobspec.Job, error) {
	if s.place == nil {
		s.place = &placement{shard: s.Shard}
	}
	for {
		job, err := s.Src.Next()
		if err != nil {
			return job, err
		}
		held, err := s.place.holds(job)
		if err != nil {
			return nil, err
		}
		if held {
			return job, nil
		}
	}
}

// Interrupt gives up a read waiting for input, when the source can.
func (s *ShardSource) Interrupt() {
	if s.Wake != nil {
		s.Wake()
	}
}
