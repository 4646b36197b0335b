package cmd

import (
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// runState is what a run works out as it goes, from its options, which
// keep only what the flags said: the results file once open, and what it
// held for --resume.
type runState struct {
	opts     *runOptions
	previous *runner.Previous // --resume: what the results file holds
	results  *records.Results // the results file, once open
	shard    jobspec.Shard    // the shard to run: --shard K/N, or auto from the CI's variables
	// shardMethod says how each job came to the run's shard (--shard);
	// nil without one.
	shardMethod func(id string) string
}
