package runner

import (
	"sync"

	"github.com/drover/drover/jobspec"
)

// Queue is what Take takes jobs from besides the released ones: the
// intake queue. Poll takes its next job without waiting (nil when there is
// none; closed once it is closed and empty); Ready holds a token once Poll
// may have something new. One goroutine calls both.
type Queue interface {
	Poll() (job *jobspec.Job, closed bool)
	Ready() <-chan struct{}
}

// Take returns the next job to start: the first in input order of the
// released jobs and the head of the intake queue. It waits while there
// is none, and returns nil once the queue is closed and no job waits, or
// once done is closed. One goroutine calls it.
func (d *Dependencies) Take(queue Queue, done <-chan struct{}) *jobspec.Job {
	for {
		if d.head == nil && !d.closed {
			d.head, d.closed = queue.Poll()
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
		var ready <-chan struct{}
		if !d.closed {
			ready = queue.Ready()
		}
		select {
		case <-ready:
		case <-d.changed:
		case <-done:
			return nil
		}
	}
}

// InputEnd is a Queue with no jobs of its own, closed by End: a
// dispatcher that takes only released jobs (the fleet's) passes one, so
// that Take returns nil once the input has ended and no job waits.
type InputEnd struct {
	once  sync.Once
	ended chan struct{}
}

// NewInputEnd makes an InputEnd that has not ended.
func NewInputEnd() *InputEnd { return &InputEnd{ended: make(chan struct{})} }

// End says that the input has ended; it may be called more than once.
func (e *InputEnd) End() { e.once.Do(func() { close(e.ended) }) }

// Poll returns no job, and closed once End was called.
func (e *InputEnd) Poll() (*jobspec.Job, bool) {
	select {
	case <-e.ended:
		return nil, true
	default:
		return nil, false
	}
}

// Ready is closed once End was called.
func (e *InputEnd) Ready() <-chan struct{} { return e.ended }

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
