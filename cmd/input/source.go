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
	place *placement
}

// Next returns the next job of the shard, or the source's error (a job
// whose needs lie in two shards is a *jobspec.RecordError).
func (s *ShardSource) Next() (*jobspec.Job, error) {
	if s.place == nil {
		s.place = newPlacement(s.Shard)
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
