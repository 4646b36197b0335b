package runner

import (
	"context"
	"io"

	"github.com/drover/drover/jobspec"
)

// Attempt is one try at running a job.
type Attempt struct {
	Job    *jobspec.Job
	Number int // 1-based
	// Slot is the job's slot, from 1 to the run's limit: no two jobs
	// running at once share one (GNU parallel's {%}).
	Slot   int
	Stdout io.Writer
	Stderr io.Writer
	// KillNow is closed when every running job must get SIGKILL at once,
	// without waiting for the kill grace.
	KillNow <-chan struct{}
}

// Outcome is how an attempt ended.
type Outcome struct {
	ExitCode *int   // nil when the process was killed by a signal or never started
	Signal   string // e.g. "SIGTERM"; empty when it exited
	// Stopped is true when the attempt's context ended before the process
	// did, so the executor stopped it.
	Stopped bool
	// Err is set when the process could not start.
	Err error
	// Usage is what the attempt's main process, and the children it
	// waited for, used; zero when it never ran.
	Usage Usage
}

// Executor runs attempts. Execute is called from many goroutines at once.
// It returns only when nothing of the attempt is left running: when ctx
// ends first, it stops the attempt (SIGTERM, the grace, SIGKILL).
type Executor interface {
	Execute(ctx context.Context, a Attempt) Outcome
}

// Wrapper is an Executor that runs attempts through another one, for
// example to decide whether an attempt may start. Unwrap returns the
// Executor it wraps.
type Wrapper interface {
	Executor
	Unwrap() Executor
}

// runsProcesses reports whether e is a ProcessExecutor, or wraps one, so
// that the processes its jobs leave behind are the run's to stop.
func runsProcesses(e Executor) bool {
	for {
		switch x := e.(type) {
		case *ProcessExecutor:
			return true
		case Wrapper:
			e = x.Unwrap()
		default:
			return false
		}
	}
}
