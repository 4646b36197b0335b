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

// dependencies holds the jobs that wait for other jobs, and decides what
// becomes of each once its needs are final: it releases the jobs that may
// run, in input order, and makes the Results of those that may not
// (DepFailed, NotNeeded).
//
// It keeps one byte per job of the input (its outcome, by Seq), the root
// cause of each job that failed, and the waiting jobs themselves, at most
// MaxWaiting of them. Intake calls admit and waitRoom, the collector
// calls settle with every final result, and dispatch calls take; each may
// run on a goroutine of its own. Nothing blocks while mu is held.
type dependencies struct {
	mu       sync.Mutex
	outcomes []outcome
	roots    map[int]rootCause // by Seq: the jobs that failed and those they blocked
	waiting  map[int][]*waiter // by the Seq of the need they wait for
	nWaiting int
	shown    atomic.Int64 // nWaiting, for waitingNow
	max      int          // MaxWaiting, but for tests
	ready    seqHeap      // released jobs, the first in input order on top
	frozen   bool         // intake stopped: nothing more is decided
	changed  chan struct{}
	room     chan struct{}

	// head is a job taken from the intake queue and not yet started;
	// only take uses it, and closed.
	head   *jobspec.Job
	closed bool
}

func newDependencies() *dependencies {
	return &dependencies{
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

// admit takes a job with needs from intake. It returns ready when the
// job may be queued at once, or the job's final Result when its needs
// already decide that it does not run; otherwise the job waits.
func (d *dependencies) admit(job *jobspec.Job) (ready bool, res *Result) {
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

// waitingNow is the number of jobs waiting for their needs; any goroutine
// may call it.
func (d *dependencies) waitingNow() int { return int(d.shown.Load()) }

// waitRoom returns once fewer than d.max jobs wait, or false when
// done is closed first.
func (d *dependencies) waitRoom(done <-chan struct{}) bool {
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

func (d *dependencies) outcome(seq int) outcome {
	if seq < len(d.outcomes) {
		return d.outcomes[seq]
	}
	return pending
}

// settle takes a job's final result and returns the Results of the
// waiting jobs that this decides will not run, for the collector to count
// as it counted res (and to settle in turn). Once frozen (intake
// stopped), it decides nothing: the waiting jobs stay not started.
func (d *dependencies) settle(res *Result, frozen bool) []*Result {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.frozen = d.frozen || frozen
	return d.finish(res)
}

// finish notes one final result and decides the waiting jobs that were
// left waiting for it alone.
func (d *dependencies) finish(res *Result) []*Result {
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
func (d *dependencies) decide(job *jobspec.Job) *Result {
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
func (d *dependencies) blocker(job *jobspec.Job) (string, rootCause) {
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

// take returns the next job to start: the first in input order of the
// released jobs and the head of the intake queue. It waits while there
// is none, and returns nil once the queue is closed and no job waits, or
// once done is closed. Only dispatch calls it.
func (d *dependencies) take(queue <-chan *jobspec.Job, done <-chan struct{}) *jobspec.Job {
	for {
		if d.head == nil && !d.closed {
			select {
			case d.head, d.closed = <-queue:
				d.closed = !d.closed
			default:
			}
		}
		d.mu.Lock()
		job := d.ready.top()
		if job != nil && (d.head == nil || job.Seq < d.head.Seq) {
			d.ready.pop()
			d.mu.Unlock()
			return job
		}
		idle := d.nWaiting == 0 && job == nil
		d.mu.Unlock()
		if d.head != nil {
			job, d.head = d.head, nil
			return job
		}
		if d.closed && idle {
			return nil
		}
		wait := queue
		if d.closed {
			wait = nil
		}
		select {
		case d.head, d.closed = <-wait:
			d.closed = !d.closed
		case <-d.changed:
		case <-done:
			return nil
		}
	}
}

// seqHeap is a min-heap of jobs by Seq.
type seqHeap []*jobspec.Job

func (h seqHeap) top() *jobspec.Job {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}

func (h *seqHeap) push(job *jobspec.Job) {
	*h = append(*h, job)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p].Seq <= s[i].Seq {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *seqHeap) pop() {
	s := *h
	last := len(s) - 1
	s[0] = s[last]
	s[last] = nil
	s = s[:last]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(s) {
			break
		}
		if c+1 < len(s) && s[c+1].Seq < s[c].Seq {
			c++
		}
		if s[i].Seq <= s[c].Seq {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
}
