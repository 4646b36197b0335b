package runner

import (
	"time"

	"github.com/drover/drover/jobspec"
)

// EventKind says what an Event reports.
type EventKind int

// The kinds of events a run reports, in the order a job goes through them.
const (
	JobAccepted     EventKind = iota // intake read the job from the input
	AttemptStarted                   // an attempt's process is about to start
	AttemptRetrying                  // an attempt failed and another follows after Delay
	JobFinished                      // the job reached its final status; Result is set
	IntakeFailed                     // the input failed (Err); no job starts after it
	StartsHeld                       // Hold says why starts wait; a nil Hold: they go again
	JobRequeued                      // an attempt was stopped for want of memory (Err is a *LowMemory) and waits to start again
	DeadlinePassed                   // the run's deadline passed: the running jobs are being stopped
)

// Event reports progress of a run. Events are sent on Config.Events from
// the runner's goroutines; the receiver must keep receiving until the
// channel is closed, which Run does before it returns.
type Event struct {
	Kind    EventKind
	Job     *jobspec.Job
	Attempt int           // AttemptStarted, AttemptRetrying
	Slot    int           // AttemptStarted: the slot the job runs on (DROVER_JOB_SLOT)
	Delay   time.Duration // AttemptRetrying
	Failure string        // AttemptRetrying: how the attempt failed
	Result  *Result       // JobFinished
	Err     error         // IntakeFailed, JobRequeued
	Hold    *Hold         // StartsHeld
	// Counts is the tally after a JobFinished event.
	Counts Counts
	// Running is the number of jobs running when the event was sent, and
	// Waiting the number waiting for their needs.
	Running int
	Waiting int
}
