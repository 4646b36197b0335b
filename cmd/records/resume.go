package records

import (
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// Succeeded reads the results file at path of an earlier run and returns
// a skip that is true for the jobs that already succeeded in it, and the
// numbers of the lines it passed over as records cut short by a crash. A
// missing file has no records.
func Succeeded(path string) (skip func(*jobspec.Job) bool, cut []int, err error) {
	done, cut, err := runner.ReadSucceeded(path)
	if err != nil {
		return nil, nil, err
	}
	return func(j *jobspec.Job) bool { return done[j.ID] }, cut, nil
}
