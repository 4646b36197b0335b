package input

import "github.com/drover/drover/jobspec"

// Filter says which jobs of the input a run holds: a jobspec.Shard (its
// zero value holds every job), or a Balanced split.
type Filter interface {
	Holds(job *jobspec.Job) bool
}
