package runner

import (
	"container/heap"
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
			heap.Push(&q.waiting, queuedJob{job: job, priority: prio, arrival: q.arrived})
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
			job := heap.Pop(&q.waiting).(queuedJob).job
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
type queuedJobs []queuedJob

func (h queuedJobs) Len() int { return len(h) }
func (h queuedJobs) Less(i, j int) bool {
	if h[i].priority != h[j].priority {
		return h[i].priority > h[j].priority
	}
	return h[i].arrival < h[j].arrival
}
func (h queuedJobs) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *queuedJobs) Push(x any)   { *h = append(*h, x.(queuedJob)) }
func (h *queuedJobs) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = queuedJob{}
	*h = old[:len(old)-1]
	return x
}
