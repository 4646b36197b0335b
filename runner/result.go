package runner

import (
	"time"

	"github.com/drover/drover/jobspec"
)

// Status is a job's final status.
type Status string

// The final statuses of the contract. NotStarted is never a Result's status:
// it only counts the accepted jobs that never started.
const (
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	TimedOut  Status = "timed_out"
	Canceled  Status = "canceled"
	Skipped   Status = "skipped"
	// DepFailed: not run because a need did not succeed (when: success).
	DepFailed Status = "dep_failed"
	// NotNeeded: not run because its needs gave it nothing to do (a when:
	// failure job whose needs all succeeded).
	NotNeeded Status = "not_needed"
)

// Result is the final outcome of one job. It is built by the worker that ran
// the job and handed over, whole, in a JobFinished event; nothing changes it
// afterwards except the receiver of that event.
type Result struct {
	Job      *jobspec.Job
	Status   Status
	ExitCode *int   // nil when killed by a signal or never started
	Signal   string // the signal that ended the last attempt, e.g. "SIGKILL"
	Attempts int
	// Requeued counts the attempts stopped for want of memory and started
	// again; they are not among Attempts.
	Requeued int
	// Slot is the runner's slot (numbered from 1, as DROVER_JOB_SLOT) that
	// ran the job; 0 for a job that never ran (skipped). Worker names the fleet worker that
	// ran it; empty for a local run.
	Slot   int
	Worker string
	// StartedAt and FinishedAt span all attempts, retry delays included.
	StartedAt, FinishedAt time.Time
	// Err says why the job did not succeed when the exit code does not:
	// it could not start, it timed out, it was canceled.
	Err error
	// Output holds what the job printed, as the Sink kept it. The receiver
	// of the JobFinished event owns it and must Close it.
	Output JobOutput
	// StderrTail holds the last bytes of the job's stderr, for the summary.
	StderrTail []byte
	// BlockedBy is, for a DepFailed job, the id of the job whose failure
	// kept it from running, traced back to the root of the chain.
	BlockedBy string
	// Usage adds up what every attempt used (see Usage.Add).
	Usage Usage
}

// Counts tallies the jobs of a run.
type Counts struct {
	Jobs       int // accepted from the input
	Succeeded  int
	Failed     int
	TimedOut   int
	Canceled   int
	Skipped    int
	DepFailed  int // not run: a need did not succeed
	NotNeeded  int // not run: the needs gave the job nothing to do
	NotStarted int
	Retries    int // retries spent
	// RetriesDenied counts failures that would have been retried had the
	// retry budget not been spent.
	RetriesDenied int
}

// Finished is the number of jobs that reached a final status.
func (c Counts) Finished() int {
	return c.Succeeded + c.Failed + c.TimedOut + c.Canceled + c.Skipped + c.DepFailed + c.NotNeeded
}

// Add counts one job that reached status s.
func (c *Counts) Add(s Status) {
	switch s {
	case Succeeded:
		c.Succeeded++
	case Failed:
		c.Failed++
	case TimedOut:
		c.TimedOut++
	case Canceled:
		c.Canceled++
	case Skipped:
		c.Skipped++
	case DepFailed:
		c.DepFailed++
	case NotNeeded:
		c.NotNeeded++
	}
}

// Summary is what Run reports when it returns.
type Summary struct {
	Counts
	Duration time.Duration
	// StoppedByFailures is true when --max-failures stopped the run.
	StoppedByFailures bool
	// StoppedBySuccess is true when --stop-on-success stopped the run.
	StoppedBySuccess bool
	// Stop is why intake stopped before the input's end, if it did: the
	// first cause (0 when it did not stop).
	Stop StopCause
	// DeadlinePassed is true when the run's deadline passed before the
	// run was done, and stopped it.
	DeadlinePassed bool
	// Escaped counts the processes that jobs left running outside their
	// process groups, stopped when the run ended.
	Escaped int
	// Held is how long starts were held by the Throttle's limits, and
	// Requeued how many attempts were stopped for want of memory.
	Held     HoldTimes
	Requeued int
	// Blocked names the root causes of the DepFailed jobs, in the order
	// they first blocked one, with how many each blocked; at most
	// MaxBlockers of them.
	Blocked []Blocker
}

// MaxBlockers is how many root causes a Summary names.
const MaxBlockers = 20

// Blocker is a job whose failure kept others from running.
type Blocker struct {
	ID   string
	Jobs int // the DepFailed jobs it blocked
}

// CountBlocked counts one DepFailed job blocked by the job root.
func (s *Summary) CountBlocked(root string) {
	for i := range s.Blocked {
		if s.Blocked[i].ID == root {
			s.Blocked[i].Jobs++
			return
		}
	}
	if len(s.Blocked) < MaxBlockers {
		s.Blocked = append(s.Blocked, Blocker{ID: root, Jobs: 1})
	}
}
