package runner

import "github.com/drover/drover/jobspec"

// Take returns the next job to start: the first in input order of the
// released jobs and the head of the intake queue. It waits while there
// is none, and returns nil once the queue is closed and no job waits, or
// once done is closed. One goroutine calls it.
func (d *Dependencies) Take(queue <-chan *jobspec.Job, done <-chan struct{}) *jobspec.Job {
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
