package runner

import "testing"

// TestTallyJobsWithAKnownTotal: with the total known, every job never read
// counts as not started, so that the jobs are the total; without it, the
// jobs are those accepted.
func TestTallyJobsWithAKnownTotal(t *testing.T) {
	for _, c := range []struct {
		total, accepted, queued  int
		wantJobs, wantNotStarted int
	}{
		{total: 10, accepted: 2, wantJobs: 10, wantNotStarted: 9},
		{total: -1, accepted: 2, wantJobs: 2, wantNotStarted: 1},
		{total: 0, accepted: 2, wantJobs: 2, wantNotStarted: 1},
		{total: 10, accepted: 10, queued: 4, wantJobs: 10, wantNotStarted: 5},
	} {
		tally := NewTally(TallyConfig{Total: c.total})
		tally.Add(&Result{Status: Failed, Attempts: 1, Output: discard{}})
		jobs, notStarted := tally.Jobs(c.accepted, c.queued)
		if jobs != c.wantJobs || notStarted != c.wantNotStarted {
			t.Errorf("total %d, %d accepted, %d queued: %d jobs, %d not started; want %d, %d",
				c.total, c.accepted, c.queued, jobs, notStarted, c.wantJobs, c.wantNotStarted)
		}
	}
}
