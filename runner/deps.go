package runner

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drover/drover/jobspec"
)

// MaxWaiting is how many jobs may wait for their needs at once. Intake
// pauses while this many wait, and goes on as they are released or
// decided; since every need is given earlier in the input than the job
// that needs it, whatever the waiting jobs wait for is already read, and
// the pause cannot last for good.
const MaxWaiting = 10000

// outcome is what a finished job means to the jobs that need it.
type outcome uint8

const (
	pending   outcome = iota // no final status yet
	succeeded                // succeeded, or skipped by --resume
	failed                   // failed, timed out, canceled or dep_failed
	idle                     // not_needed: it had nothing to do
)

func outcomeOf(s Status) outcome {
	switch s {
	case Succeeded, Skipped:
		return succeeded
	case NotNeeded:
		return idle
	}
	return failed
}

// rootCause is the job at the start of a chain of failures.
type rootCause struct {
	id     string
	status Status
}

// waiter is a job waiting for its needs; left counts the needs that have
// no final status yet.
type waiter struct {
	job  *jobspec.Job
	left int
}

// Dependencies holds the jobs that wait for other jobs, and decides what
// becomes of each once its needs are final: it releases the jobs that may
// run, in input order, and makes the Results of those that may not
// (DepFailed, NotNeeded). The local Runner and the fleet's submitter each
// keep one.
//
// It keeps one byte per job of the input (its outcome, by Seq), the root
// cause of each job that failed, and the waiting jobs themselves, at most
// MaxWaiting of them. Intake calls Admit and WaitRoom, the collector
// calls Settle with every final result, and one dispatching goroutine
// calls Take; each may run on a goroutine of its own, and Waiting may be
// called from any. Nothing blocks while mu is held.
type Dependencies struct {
	mu       sync.Mutex
	outcomes []outcome
	roots    map[int]rootCause // by Seq: the jobs that failed and those they blocked
	waiting  map[int][]*waiter // by the Seq of the need they wait for
	nWaiting int
	shown    atomic.Int64 // nWaiting, for Waiting
	max      int          // MaxWaiting, but for tests
	ready    seqHeap      // released jobs, the first in input order on top
	frozen   bool         // intake stopped: nothing more is decided
	changed  chan struct{}
	room     chan struct{}

	// head is a job taken from the intake queue and not yet started;
	// only Take uses it, and closed.
	head   *jobspec.Job
	closed bool
}

// NewDependencies makes the Dependencies of one run.
func NewDependencies() *Dependencies {
	return &Dependencies{
		max:     MaxWaiting,
		roots:   map[int]rootCause{},
		waiting: map[int][]*waiter{},
		changed: make(chan struct{}, 1),
		room:    make(chan struct{}, 1),
	}
}

// signal wakes whoever waits on c, without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Admit takes a job with needs from intake. It returns ready when the
// job may be queued at once, or the job's final Result when its needs
// already decide that it does not run; otherwise the job waits.
func (d *Dependencies) Admit(job *jobspec.Job) (ready bool, res *Result) {
	d.mu.Lock()
	defer d.mu.Unlock()
	left := 0
	for _, n := range job.Needs {
		if d.outcome(n.Seq) == pending {
			left++
		}
	}
	if left > 0 {
		w := &waiter{job: job, left: left}
		for _, n := range job.Needs {
			if d.outcome(n.Seq) == pending {
				d.waiting[n.Seq] = append(d.waiting[n.Seq], w)
			}
		}
		d.nWaiting++
		d.shown.Store(int64(d.nWaiting))
		return false, nil
	}
	res = d.decide(job)
	return res == nil, res
}

// Waiting is the number of jobs waiting for their needs; any goroutine
// may call it.
func (d *Dependencies) Waiting() int { return int(d.shown.Load()) }

// WaitRoom returns once fewer than d.max jobs wait, or false when
// done is closed first.
func (d *Dependencies) WaitRoom(done <-chan struct{}) bool {
	for {
		d.mu.Lock()
		n := d.nWaiting
		d.mu.Unlock()
		if n < d.max {
			return true
		}
		select {
		case <-d.room:
		case <-done:
			return false
		}
	}
}

func (d *Dependencies) outcome(seq int) outcome {
	if seq < len(d.outcomes) {
		return d.outcomes[seq]
	}
	return pending
}

// Settle takes a job's final result and returns the Results of the
// waiting jobs that this decides will not run, for the collector to count
// as it counted res (and to settle in turn). Once frozen (intake
// stopped), it decides nothing: the waiting jobs stay not started.
func (d *Dependencies) Settle(res *Result, frozen bool) []*Result {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.frozen = d.frozen || frozen
	return d.finish(res)
}

// finish notes one final result and decides the waiting jobs that were
// left waiting for it alone.
func (d *Dependencies) finish(res *Result) []*Result {
	seq := res.Job.Seq
	for len(d.outcomes) <= seq {
		d.outcomes = append(d.outcomes, pending)
	}
	d.outcomes[seq] = outcomeOf(res.Status)
	switch {
	case res.Status == DepFailed:
		_, d.roots[seq] = d.blocker(res.Job)
	case outcomeOf(res.Status) == failed:
		d.roots[seq] = rootCause{id: res.Job.ID, status: res.Status}
	}
	waiters := d.waiting[seq]
	delete(d.waiting, seq)
	if d.frozen {
		return nil
	}
	var decided []*Result
	for _, w := range waiters {
		if w.left--; w.left > 0 {
			continue
		}
		d.nWaiting--
		d.shown.Store(int64(d.nWaiting))
		signal(d.room)
		if r := d.decide(w.job); r != nil {
			decided = append(decided, r)
			continue
		}
		d.ready.push(w.job)
		signal(d.changed)
	}
	if len(waiters) > 0 && d.nWaiting == 0 {
		signal(d.changed) // dispatch may be waiting for the last of them
	}
	return decided
}

// decide makes the Result of a job whose needs are all final when they
// keep it from running; nil means it runs.
func (d *Dependencies) decide(job *jobspec.Job) *Result {
	anyFailed, anyIdle := false, false
	for _, n := range job.Needs {
		switch d.outcome(n.Seq) {
		case failed:
			anyFailed = true
		case idle:
			anyIdle = true
		}
	}
	switch {
	case job.When == jobspec.WhenAlways:
		return nil
	case job.When == jobspec.WhenFailure && anyFailed:
		return nil
	case job.When == jobspec.WhenFailure:
		return notRun(job, NotNeeded, "", fmt.Errorf("not needed: no need failed (when: failure)"))
	case anyFailed:
		need, root := d.blocker(job)
		return notRun(job, DepFailed, root.id, blockedError(need, root))
	case anyIdle:
		return notRun(job, NotNeeded, "", fmt.Errorf("not needed: a need was not needed"))
	}
	return nil
}

// blocker finds the first need of job, in the order the job lists them,
// that did not succeed, and the root cause of its failure.
func (d *Dependencies) blocker(job *jobspec.Job) (string, rootCause) {
	for _, n := range job.Needs {
		if d.outcome(n.Seq) == failed {
			return n.ID, d.roots[n.Seq]
		}
	}
	return "", rootCause{}
}

// blockedError says why a job did not run: "needs build, which failed", or
// along a chain "needs test, which did not run because build failed".
func blockedError(need string, root rootCause) error {
	what := "failed"
	switch root.status {
	case TimedOut:
		what = "timed out"
	case Canceled:
		what = "was canceled"
	}
	if need == root.id {
		return fmt.Errorf("needs %s, which %s", need, what)
	}
	return fmt.Errorf("needs %s, which did not run because %s %s", need, root.id, what)
}

func notRun(job *jobspec.Job, s Status, blockedBy string, why error) *Result {
	now := time.Now()
	return &Result{Job: job, Status: s, BlockedBy: blockedBy, Err: why, StartedAt: now, FinishedAt: now, Output: discard{}}
}
