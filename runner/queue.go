package runner

import (
	"sync"

	"github.com/drover/drover/jobspec"
)

// jobQueue is the bounded intake queue between readInput, which puts jobs
// in, and dispatch, which takes them out: one goroutine each. Without a
// priority it is first in, first out. With one, the waiting job of the
// highest priority comes out first, and of equal priorities the one that
// came in first; so the order applies among the jobs waiting, never to a
// job the input has not given yet. Only the putter closes it.
type jobQueue struct {
	capacity int
	priority func(*jobspec.Job) int64 // nil: input order

	mu      sync.Mutex
	waiting queuedJobs
	closed  bool
	arrived int // jobs put in so far

	// space holds a token once a job has been taken out, ready once one
	// has been put in or the queue closed: with one goroutine on each
	// side, a token left from before is never lost, only seen early.
	space, ready chan struct{}
}

func newJobQueue(capacity int, priority func(*jobspec.Job) int64) *jobQueue {
	return &jobQueue{capacity: capacity, priority: priority, space: make(chan struct{}, 1), ready: make(chan struct{}, 1)}
}

// put adds job, waiting while the queue is full. It returns false, job
// not added, once done closes first.
func (q *jobQueue) put(job *jobspec.Job, done <-chan struct{}) bool {
	var prio int64
	if q.priority != nil {
		prio = q.priority(job)
	}
	for {
		q.mu.Lock()
		if len(q.waiting) < q.capacity {
			q.arrived++
			q.waiting.push(queuedJob{job: job, priority: prio, arrival: q.arrived})
			q.mu.Unlock()
			notify(q.ready)
			return true
		}
		q.mu.Unlock()
		select {
		case <-q.space:
		case <-done:
			return false
		}
	}
}

// close says that no job will be put in any more.
func (q *jobQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	notify(q.ready)
}

// take returns the next job, waiting while the queue is empty; nil once
// the queue is closed and empty, or once done closes first.
func (q *jobQueue) take(done <-chan struct{}) *jobspec.Job {
	for {
		q.mu.Lock()
		if len(q.waiting) > 0 {
			job := q.waiting.pop()
			q.mu.Unlock()
			notify(q.space)
			return job
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil
		}
		select {
		case <-q.ready:
		case <-done:
			return nil
		}
	}
}

// Poll takes the next job without waiting: nil when there is none, with
// closed true once the queue is closed and empty. With Ready it makes the
// queue one that Dependencies.Take can take from; only dispatch calls
// them.
func (q *jobQueue) Poll() (job *jobspec.Job, closed bool) {
	q.mu.Lock()
	if len(q.waiting) > 0 {
		job = q.waiting.pop()
		q.mu.Unlock()
		notify(q.space)
		return job, false
	}
	closed = q.closed
	q.mu.Unlock()
	return nil, closed
}

// Ready holds a token once a job has been put in or the queue closed.
func (q *jobQueue) Ready() <-chan struct{} { return q.ready }

// notify leaves a token in c unless one is there already.
func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

type queuedJob struct {
	job      *jobspec.Job
	priority int64
	arrival  int
}

// queuedJobs is a heap: the highest priority first, then the earliest.
// It is written out rather than through container/heap, whose interface
// values would cost an allocation a job.
type queuedJobs []queuedJob

func (h queuedJobs) before(i, j int) bool {
	if h[i].priority != h[j].priority {
		return h[i].priority > h[j].priority
	}
	return h[i].arrival < h[j].arrival
}

func (h *queuedJobs) push(x queuedJob) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.before(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

// pop takes the first job out; the heap must not be empty.
func (h *queuedJobs) pop() *jobspec.Job {
	s := *h
	job := s[0].job
	last := len(s) - 1
	s[0] = s[last]
	s[last] = queuedJob{}
	s = s[:last]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(s) {
			break
		}
		if c+1 < len(s) && s.before(c+1, c) {
			c++
		}
		if !s.before(c, i) {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return job
}
