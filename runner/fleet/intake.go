package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// submitAll reads jobs and submits them, taking a slot for each, so that
// at most InFlight jobs are out. It returns the number of jobs accepted.
func (s *Submitter) submitAll(src runner.Source, slots chan struct{}, send func(arrival)) (int, error) {
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
		if err != nil {
			s.Drain()
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
		s.mu.Lock()
		s.outstanding[job.Seq] = &pending{job: job}
		s.out.Store(int64(len(s.outstanding)))
		s.mu.Unlock()
		if err := s.submit(job); err != nil {
			if s.forget(job.Seq) == nil {
				continue // a result came after all
			}
			if s.intake.Err() != nil {
				<-slots // not submitted: not started
				return accepted, nil
			}
			now := time.Now()
			send(arrival{local: &runner.Result{Job: job, Status: runner.Failed, StartedAt: now, FinishedAt: now,
				Err: fmt.Errorf("cannot submit: %w", err), Output: s.output(job, nil)}})
		}
	}
}

// submit puts one job on the queue, trying again every second while the
// server does not answer, until intake stops. A message the server refuses for its size is
// an error at once.
func (s *Submitter) submit(job *jobspec.Job) error {
	data, err := json.Marshal(newJobMsg(s.run, job, s.cfg.Timeout, s.cfg.Retries, s.cfg.Shell))
	if err != nil {
		return err
	}
	msgID := s.run + "." + strconv.Itoa(job.Seq) // a retried submission is queued once
	for {
		// An attempt under way is not cut short by a drain: a job the server
		// may have queued must stay outstanding, so that its result counts.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := s.js.Publish(ctx, jobsPrefix+s.run, data, jetstream.WithMsgID(msgID))
		cancel()
		switch {
		case err == nil:
			return nil
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
	}
}
