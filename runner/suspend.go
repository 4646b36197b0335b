package runner

import "syscall"

// Suspender is an Executor whose running attempts can be suspended and
// continued, for a run's pause. Suspend and Continue are called by the
// Runner from any goroutine, in turn: Suspend, Continue, Suspend, ...
type Suspender interface {
	Executor
	// Suspend suspends every running attempt; an attempt that starts
	// before Continue starts suspended.
	Suspend()
	// Continue continues the attempts Suspend suspended.
	Continue()
}

// suspenderOf returns e, or the Executor e wraps, when it is a Suspender;
// nil otherwise.
func suspenderOf(e Executor) Suspender {
	for {
		if s, ok := e.(Suspender); ok {
			return s
		}
		w, ok := e.(Wrapper)
		if !ok {
			return nil
		}
		e = w.Unwrap()
	}
}

// Suspend sends SIGSTOP to the process group of every running job.
func (e *ProcessExecutor) Suspend() { e.signalMains(true, syscall.SIGSTOP) }

// Continue sends SIGCONT to the process group of every running job.
func (e *ProcessExecutor) Continue() { e.signalMains(false, syscall.SIGCONT) }

// signalMains marks the executor suspended or not and signals the groups
// of the jobs' main processes. It holds starting for writing, so that a
// job starting meanwhile is either signalled here or sees the mark.
func (e *ProcessExecutor) signalMains(suspended bool, sig syscall.Signal) {
	e.starting.Lock()
	defer e.starting.Unlock()
	e.suspended = suspended
	e.mains.Range(func(pid, _ any) bool {
		signalGroup(pid.(int), sig)
		return true
	})
}
