package records

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/drover/drover/runner"
)

// Merged is what the results files of one or more runs say together: each
// job once, with its deciding record. A job's last record decides, files
// read in the order given, each from top to bottom; a skipped record never
// replaces an earlier record of the same job. A Merged is used by one
// goroutine.
type Merged struct {
	jobs        map[string]*runner.Record
	order       []string // ids in the order first seen, for a stable list of failures
	first, last time.Time
}

// Add reads the results file r, shown as name in errors, into m. It
// returns the numbers of the lines it passed over as records cut short by
// a crash; a line that is not a record is an error naming it.
func (m *Merged) Add(r io.Reader, name string) (cut []int, err error) {
	if m.jobs == nil {
		m.jobs = map[string]*runner.Record{}
	}
	return runner.ScanRecords(r, name, func(_ int, rec *runner.Record) error {
		start, err1 := time.Parse(time.RFC3339Nano, rec.StartedAt)
		end, err2 := time.Parse(time.RFC3339Nano, rec.FinishedAt)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("job %s: bad time: %w", rec.ID, err)
		}
		if m.first.IsZero() || start.Before(m.first) {
			m.first = start
		}
		if end.After(m.last) {
			m.last = end
		}
		j := m.jobs[rec.ID]
		switch {
		case j == nil:
			r := *rec
			m.jobs[rec.ID] = &r
			m.order = append(m.order, rec.ID)
		case rec.Status != runner.Skipped:
			*j = *rec
		}
		return nil
	})
}

// Summary counts the jobs, as a single run of them all would, with the
// wall time from the first start to the last finish. each, when set, is
// called with every job's deciding record, in the order first seen.
func (m *Merged) Summary(each func(*runner.Record)) runner.Summary {
	var sum runner.Summary
	for _, id := range m.order {
		j := m.jobs[id]
		sum.Jobs++
		sum.Retries += max(j.Attempts-1, 0)
		sum.Add(j.Status)
		if each != nil {
			each(j)
		}
	}
	if !m.first.IsZero() {
		sum.Duration = m.last.Sub(m.first)
	}
	return sum
}
