package records

import (
	"github.com/drover/drover/cmd/reports"
	"github.com/drover/drover/runner"
)

// Collected gathers the jobs of a run as the reports show them, for the
// record files written whole at the end (JUnit, the GitHub step summary,
// HTML). It keeps every job's record, and the stderr tail only of the jobs
// that did not succeed: no report shows the others'. It is used by one
// goroutine at a time.
type Collected struct {
	jobs []reports.Job
}

// Record keeps res, with the tail of its stderr the runner kept.
func (c *Collected) Record(res *runner.Result) error {
	var tail []byte
	if res.Status != runner.Succeeded {
		tail = append([]byte{}, res.StderrTail...) // known, if empty
	}
	c.Add(NewRecord(res), tail)
	return nil
}

// Add keeps a record read back from a results file, with its stderr tail
// (nil when not known).
func (c *Collected) Add(rec runner.Record, stderrTail []byte) {
	c.jobs = append(c.jobs, reports.NewJob(rec, stderrTail))
}

// Run is what was collected, as the reports' Run of the outcome o.
func (c *Collected) Run(o Outcome) *reports.Run {
	r := reports.NewRun("drover", c.jobs, o.Summary.NotStarted)
	if o.Summary.Duration > 0 {
		r.Duration = o.Summary.Duration
	}
	r.Counts.Retries = o.Summary.Retries
	return r
}
