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
	NotStarted int
	Retries    int // retries spent
	// RetriesDenied counts failures that would have been retried had the
	// retry budget not been spent.
	RetriesDenied int
}

// Finished is the number of jobs that reached a final status.
func (c Counts) Finished() int {
	return c.Succeeded + c.Failed + c.TimedOut + c.Canceled + c.Skipped
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
}
