package fleet

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// forget removes a job from the outstanding ones and returns it, or nil
// when it was not outstanding.
func (s *Submitter) forget(seq int) *pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.outstanding[seq]
	if p != nil {
		delete(s.outstanding, seq)
		s.out.Store(int64(len(s.outstanding)))
		if p.started {
			s.running.Add(-1)
		}
	}
	return p
}

// forgetResult forgets the outstanding job that a worker's result is for
// and returns it; it returns nil when the result is for no outstanding job
// (a job that ran twice, whose first result counted), or when the job id
// is not the one submitted: that result is not for this run.
func (s *Submitter) forgetResult(m *resultMsg) *pending {
	s.mu.Lock()
	p := s.outstanding[m.Seq]
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	if p.job.ID != m.ID {
		s.warn("ignored a result for job %d of this run with the id %q, not %q", m.Seq, shortened(m.ID), p.job.ID)
		return nil
	}
	return s.forget(m.Seq)
}

func (s *Submitter) isCanceled() bool {
	select {
	case <-s.canceled:
		return true
	default:
		return false
	}
}

// collect is the collector: this goroutine alone hands final results to
// the run's tally. It returns when the input has ended and nothing is
// outstanding, or when a canceled run's started jobs have reported.
func (s *Submitter) collect(tally *runner.Tally, arrivals <-chan arrival, slots <-chan struct{}) {
	ended := false
	var waitLimit <-chan time.Time
	canceled := s.canceled
	deadline := s.expired
	for {
		if ended && s.out.Load() == 0 {
			return
		}
		if waitLimit != nil && s.running.Load() == 0 {
			return // canceled, and every started job has reported
		}
		select {
		case <-canceled:
			canceled = nil
			waitLimit = time.After(s.cfg.CancelWait)
			continue
		case <-deadline:
			deadline = nil
			s.emit(runner.Event{Kind: runner.DeadlinePassed})
			continue
		case <-waitLimit:
			return
		case <-s.killed:
			return
		case a := <-arrivals:
			var res *runner.Result
			switch {
			case a.ended:
				ended = true
				continue
			case a.notice != nil:
				s.noticed(a.notice)
				continue
			case a.local != nil:
				res = a.local
			case a.result != nil:
				p := s.forgetResult(a.result)
				if p == nil {
					continue // a job that ran twice (the first result counts), or not a job of this run
				}
				if !s.isCanceled() && (a.result.Status == notStarted || a.result.Status == runner.Canceled) {
					// A worker heard a cancel of this run before the run
					// did: the job is recorded, not lost.
					a.result.Status = runner.Canceled
					a.result.Error = fmt.Sprintf("%s; the run had not heard of its cancel yet", cmp.Or(a.result.Error, "canceled"))
				} else if a.result.Status == notStarted {
					<-slots
					continue
				}
				res = s.resultOf(p.job, a.result)
			}
			<-slots
			tally.Add(res)
			s.addBlocked(tally)
		}
	}
}

// settle tells the run's Dependencies of a final result; the jobs it
// releases go to releaseAll, and the results it decides wait for
// addBlocked. The collector calls it, through the tally.
func (s *Submitter) settle(res *runner.Result) {
	for _, b := range s.deps.Settle(res, s.intake.Err() != nil) {
		b.Output = s.output(b.Job, nil) // as for every result of the run
		s.blocked = append(s.blocked, b)
	}
}

// addBlocked counts the results that the last one decided, and those
// they decide in turn.
func (s *Submitter) addBlocked(tally *runner.Tally) {
	for len(s.blocked) > 0 {
		res := s.blocked[0]
		s.blocked = s.blocked[1:]
		tally.Add(res)
	}
}

// noticed passes a worker's notice on as the runner's event.
func (s *Submitter) noticed(n *noticeMsg) {
	s.mu.Lock()
	p := s.outstanding[n.Seq]
	if p != nil && !p.started {
		p.started = true
		s.running.Add(1)
	}
	s.mu.Unlock()
	if p == nil {
		return
	}
	if n.Retrying {
		s.emit(runner.Event{Kind: runner.AttemptRetrying, Job: p.job, Attempt: n.Attempt, Delay: n.Delay, Failure: n.Failure})
	} else {
		s.emit(runner.Event{Kind: runner.AttemptStarted, Job: p.job, Attempt: n.Attempt})
	}
}

func (s *Submitter) emit(ev runner.Event) {
	if s.cfg.Events != nil {
		ev.Running = int(s.running.Load())
		ev.Waiting = s.deps.Waiting()
		s.cfg.Events <- ev
	}
}

// resultOf turns a worker's result into the runner's.
func (s *Submitter) resultOf(job *jobspec.Job, m *resultMsg) *runner.Result {
	return resultFrom(s.cfg.Sink, job, m)
}

// output replays what a worker sent back of a job's output through the
// run's Sink, as if the job had run here.
func (s *Submitter) output(job *jobspec.Job, m *resultMsg) runner.JobOutput {
	return replay(s.cfg.Sink, job, m)
}

// replay writes what a worker sent back of a job's output (nothing, for a
// nil m) to a JobOutput of sink, and returns it.
func replay(sink runner.Sink, job *jobspec.Job, m *resultMsg) runner.JobOutput {
	if sink == nil {
		return discard{}
	}
	out, err := sink.Open(job)
	if err != nil {
		return discard{}
	}
	if m != nil {
		out.Stdout().Write(m.Stdout)
		out.Stderr().Write(m.Stderr)
		for _, d := range []struct {
			what string
			n    int64
		}{{"stdout", m.StdoutDropped}, {"stderr", m.StderrDropped}} {
			if d.n > 0 {
				fmt.Fprintf(out.Stderr(), "[drover: %d more bytes of %s were not sent back by worker %s]\n", d.n, d.what, m.Worker)
			}
		}
	}
	return out
}

// sortedPending lists jobs in input order.
func sortedPending(m map[int]*pending) []*pending {
	list := make([]*pending, 0, len(m))
	for _, p := range m {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b *pending) int { return a.job.Seq - b.job.Seq })
	return list
}

type discard struct{}

func (discard) Stdout() io.Writer { return io.Discard }
func (discard) Stderr() io.Writer { return io.Discard }
func (discard) Close() error      { return nil }
