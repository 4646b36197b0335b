package runner

import (
	"errors"
	"time"

	"github.com/drover/drover/jobspec"
)

// Config holds everything a run needs. The zero values of the durations
// and limits mean what the contract's defaults say only where noted; the
// command line fills in its own defaults.
type Config struct {
	Jobs  int // at most this many jobs run at once (>= 1)
	Queue int // capacity of the intake queue (>= 1)

	Timeout   time.Duration // default per-attempt timeout; 0 means none
	KillGrace time.Duration // between SIGTERM and SIGKILL when a job is stopped

	Retries       int           // default extra attempts
	RetryDelay    time.Duration // base of the exponential backoff
	RetryMaxDelay time.Duration // cap on one delay
	RetryBudget   int           // retries the whole run may spend; < 0 means unlimited
	MaxFailures   int           // stop after this many final failures; 0 means no limit

	// MaxFailurePercent, StopOnSuccess and HaltSoon mean what they mean in
	// StopRules; MaxFailures is its count.
	MaxFailurePercent float64
	StopOnSuccess     int
	HaltSoon          bool
	// Deadline, when set, stops the run as Stop does once it passes: no job
	// starts after it, and the running jobs end as Canceled.
	Deadline time.Time
	// Throttle holds starts for time, memory or load; the zero value
	// holds none.
	Throttle Throttle

	Shell   string   // runs string commands as Shell -c CMD
	Environ []string // the environment jobs start from (drover's own)

	// Executor runs attempts; nil means a ProcessExecutor, which tells
	// Watchdog, when set, about every job's process group.
	Executor Executor
	Watchdog *Watchdog
	// Sink decides where output goes; nil discards it.
	Sink Sink
	// Priority, when set, orders the intake queue: of the jobs waiting
	// there, the one it gives the highest number starts first (of equal
	// numbers, the first queued). It is called once per job, by the
	// goroutine reading the input. Nil keeps the input's order.
	Priority func(*jobspec.Job) int64
	// Skip, when set, is asked about every job before it is queued; a job
	// it returns true for is finished as Skipped without running.
	Skip func(*jobspec.Job) bool
	// Record, when set, is called with every final Result, one at a time,
	// in the order the jobs finish. An error stops the run.
	Record func(*Result) error
	// Events, when set, receives the run's events and is closed by Run.
	Events chan<- Event
	// Total is the number of jobs the input holds, when it is known before
	// the run (a regular file, ::: lists); 0 or -1 when not. With it, the
	// jobs never read because intake stopped count as not started.
	Total int
}

func (c *Config) check() error {
	switch {
	case c.Jobs < 1:
		return errors.New("jobs must be at least 1")
	case c.Queue < 1:
		return errors.New("queue must be at least 1")
	case c.Retries < 0 || c.Retries > jobspec.MaxRetries:
		return errors.New("retries must be from 0 to 100")
	case c.Timeout < 0 || c.KillGrace < 0 || c.RetryDelay < 0 || c.RetryMaxDelay < 0:
		return errors.New("durations must not be negative")
	}
	if msg := c.stopRules().check(); msg != "" {
		return errors.New(msg)
	}
	return nil
}

func (c *Config) stopRules() StopRules {
	return StopRules{MaxFailures: c.MaxFailures, MaxFailurePercent: c.MaxFailurePercent, StopOnSuccess: c.StopOnSuccess, Soon: c.HaltSoon}
}
