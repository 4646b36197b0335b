package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// submission is a job published without waiting for the server's
// acknowledgement, which ack will bring.
type submission struct {
	job   *jobspec.Job
	data  []byte
	msgID string
	ack   jetstream.PubAckFuture
}

// submitAll reads jobs and submits them, taking a slot for each, so that
// at most InFlight jobs are out. Jobs are published without waiting; a
// goroutine of its own checks the server's acknowledgements, and submits
// again, one at a time, what the server did not take. A job with needs is
// held back, without a slot, until its needs' results have come; another
// goroutine submits it then (releaseAll). It returns the number of jobs
// accepted once the input ends, no job waits any more, and every
// acknowledgement has been checked.
func (s *Submitter) submitAll(src runner.Source, slots chan struct{}, send func(arrival)) (int, error) {
	published := make(chan submission, s.cfg.InFlight)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for sub := range published {
			select {
			case <-sub.ack.Ok():
				s.queuedJob(sub.job.Seq, slots)
			case err := <-sub.ack.Err():
				err = s.publish(sub.data, sub.msgID, err)
				if err == nil {
					s.queuedJob(sub.job.Seq, slots)
				}
				s.submitted(sub.job, err, slots, send)
			}
		}
	}()
	defer wg.Wait()
	defer close(published)
	inputEnd := runner.NewInputEnd()
	released := make(chan struct{})
	go func() {
		defer close(released)
		s.releaseAll(inputEnd, slots, send, published)
	}()
	defer func() { <-released }()
	defer inputEnd.End()
	return s.readAll(src, slots, send, published)
}

// readAll reads the input and submits its jobs, until it ends or intake
// stops; it returns the number of jobs accepted.
func (s *Submitter) readAll(src runner.Source, slots chan struct{}, send func(arrival), published chan<- submission) (int, error) {
	accepted := 0
	for {
		select {
		case slots <- struct{}{}:
		case <-s.intake.Done():
			return accepted, nil
		}
		job, err := src.Next()
		if err == io.EOF {
			return accepted, nil
		}
		if err != nil && s.intake.Err() != nil {
			return accepted, nil // intake stopped while reading: the read was interrupted
		}
		if err == nil && len(job.Needs) > 0 && s.cfg.Detach {
			err = &jobspec.RecordError{Pos: job.Record, Err: errors.New("a job with needs cannot be submitted with --detach: the submitter holds it back until its needs have finished")}
		}
		if err != nil {
			s.drainFor(runner.StopInputError, err)
			s.emit(runner.Event{Kind: runner.IntakeFailed, Err: err})
			return accepted, err
		}
		if s.intake.Err() != nil {
			return accepted, nil
		}
		accepted++
		s.emit(runner.Event{Kind: runner.JobAccepted, Job: job})
		if s.cfg.Skip != nil && s.cfg.Skip(job) {
			now := time.Now()
			send(arrival{local: &runner.Result{Job: job, Status: runner.Skipped, StartedAt: now, FinishedAt: now, Output: s.output(job, nil)}})
			continue
		}
		if len(job.Needs) > 0 && !s.admit(job, slots, send) {
			continue
		}
		s.submitOne(job, slots, send, published)
	}
}

// admit hands a job with needs to the run's Dependencies and reports
// whether it may be submitted now. A job that waits gives its slot back,
// and intake waits while too many do; a job its needs keep from running
// is finished here.
func (s *Submitter) admit(job *jobspec.Job, slots <-chan struct{}, send func(arrival)) bool {
	ready, res := s.deps.Admit(job)
	switch {
	case res != nil:
		res.Output = s.output(job, nil) // as for every result of the run
		send(arrival{local: res})       // its slot is freed as it is counted
		return false
	case !ready:
		<-slots
		s.deps.WaitRoom(s.intake.Done())
		return false
	}
	return true
}

// releaseAll submits the jobs whose needs have come, in input order, each
// in a slot, until the input has ended (inputEnd) and no job waits, or
// intake stops.
func (s *Submitter) releaseAll(inputEnd *runner.InputEnd, slots chan struct{}, send func(arrival), published chan<- submission) {
	for {
		job := s.deps.Take(inputEnd, s.intake.Done())
		if job == nil {
			return
		}
		select {
		case slots <- struct{}{}:
		case <-s.intake.Done():
			return
		}
		s.submitOne(job, slots, send, published)
	}
}

// submitOne publishes one job, which holds a slot, without waiting for
// the server's acknowledgement: it goes to published to be checked.
func (s *Submitter) submitOne(job *jobspec.Job, slots <-chan struct{}, send func(arrival), published chan<- submission) {
	s.mu.Lock()
	s.outstanding[job.Seq] = &pending{job: job}
	s.out.Store(int64(len(s.outstanding)))
	s.mu.Unlock()
	data, err := json.Marshal(newJobMsg(s.run, job, s.cfg.Timeout, s.cfg.Retries, s.cfg.Shell))
	if err != nil {
		s.submitted(job, err, slots, send)
		return
	}
	msgID := s.run + "." + strconv.Itoa(job.Seq) // a job submitted again is queued once
	ack, err := s.pub.PublishAsync(s.srv.names.jobs(s.run), data, jetstream.WithMsgID(msgID))
	if err != nil {
		err = s.publish(data, msgID, err)
		if err == nil {
			s.queuedJob(job.Seq, slots)
		}
		s.submitted(job, err, slots, send)
		return
	}
	published <- submission{job: job, data: data, msgID: msgID, ack: ack} // room: at most InFlight are out
}

// submitted settles a job whose submission failed with err (nil: it did
// not fail): once intake has stopped it was never started; otherwise it
// failed.
func (s *Submitter) submitted(job *jobspec.Job, err error, slots <-chan struct{}, send func(arrival)) {
	if err == nil {
		return
	}
	if s.forget(job.Seq) == nil {
		return // a result came after all
	}
	if s.intake.Err() != nil {
		<-slots // not submitted: not started
		return
	}
	now := time.Now()
	send(arrival{local: &runner.Result{Job: job, Status: runner.Failed, StartedAt: now, FinishedAt: now,
		Err: fmt.Errorf("cannot submit: %w", err), Output: s.output(job, nil)}})
}

// publish submits a job's message again, after the error first, waiting
// for the server's acknowledgement and trying again every second while it
// does not answer, until intake stops. A message the server refuses for
// its size is an error at once.
func (s *Submitter) publish(data []byte, msgID string, first error) error {
	for err := first; ; {
		switch {
		case errors.Is(err, nats.ErrMaxPayload):
			return fmt.Errorf("%w: the job's message is %d bytes", err, len(data))
		case s.intake.Err() != nil:
			return s.intake.Err()
		}
		select {
		case <-s.intake.Done():
			return s.intake.Err()
		case <-time.After(time.Second):
		}
		// An attempt under way is not cut short by a drain: a job the server
		// may have queued must stay outstanding, so that its result counts.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = s.pub.Publish(ctx, s.srv.names.jobs(s.run), data, jetstream.WithMsgID(msgID))
		cancel()
		if err == nil {
			return nil
		}
	}
}
