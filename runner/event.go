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
	IntakeStopped                    // no job starts any more; Cause says why (Err: the input's error)
)

// StopCause says why a run's intake stopped. The first cause counts: a
// run tells one IntakeStopped event at most.
type StopCause int

// The causes of a stop.
const (
	StopInputError   StopCause = iota + 1 // the input had a bad record or could not be read
	StopSignal                            // Drain, Stop or Kill: a signal, or drover's stdout gone
	StopMaxFailures                       // --max-failures (a count or a percentage) was reached
	StopOnSuccess                         // --stop-on-success was reached
	StopDeadline                          // the run's deadline passed
	StopCanceled                          // drover cancel canceled the run
	StopResultsError                      // the results file could not be written
)

var stopCauseNames = map[StopCause]string{
	StopInputError: "input_error", StopSignal: "signal", StopMaxFailures: "max_failures",
	StopOnSuccess: "stop_on_success", StopDeadline: "deadline", StopCanceled: "canceled",
	StopResultsError: "results_error",
}

// String is the cause's name in the events stream, e.g. "max_failures".
func (c StopCause) String() string { return stopCauseNames[c] }

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
	Err     error         // IntakeFailed, JobRequeued, IntakeStopped for StopInputError
	Cause   StopCause     // IntakeStopped
	Hold    *Hold         // StartsHeld
	// Counts is the tally after a JobFinished event.
	Counts Counts
	// Running is the number of jobs running when the event was sent, and
	// Waiting the number waiting for their needs.
	Running int
	Waiting int
}
