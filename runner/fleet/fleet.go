// Package fleet runs drover's jobs on workers on many machines through NATS
// JetStream: the Submitter puts a run's jobs on a work queue and collects
// their results, and each Worker pulls jobs from the queue and runs them
// with the local runner. It owns the streams, the consumer, the subjects
// and the messages between the two. Like the runner, it reports through
// events and callbacks; it never prints, reads flags or exits.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The streams, the consumer and the subjects drover uses. A run's id keeps
// its messages apart from every other run's.
const (
	JobsStream    = "DROVER_JOBS"    // work queue: one message per job, removed once acknowledged
	ResultsStream = "DROVER_RESULTS" // one message per finished job (or more, when a job ran twice)
	WorkerGroup   = "drover-workers" // the durable pull consumer every worker shares

	jobsPrefix    = "drover.jobs."    // + run id
	resultsPrefix = "drover.results." // + run id
	noticePrefix  = "drover.notice."  // + run id: attempts starting and retrying (core NATS)
	cancelPrefix  = "drover.cancel."  // + run id: stop the run's jobs (core NATS)
)

// Limits of the streams and the consumer, as created on first use. An
// operator may change them afterwards (replicas in a cluster, for one);
// drover uses the streams as it finds them.
const (
	// StreamMaxAge is how long a job waits in the queue, and a result in
	// the results stream, before the server drops it.
	StreamMaxAge = 24 * time.Hour
	// DuplicateWindow is how long the server remembers a job's message id,
	// so that a submission retried after a lost connection is queued once.
	DuplicateWindow = 2 * time.Minute
	// DefaultAckWait is how long a worker may hold a job without a sign of
	// life before the server hands it to another worker.
	DefaultAckWait = 30 * time.Second
	// MaxAckPending is how many jobs all workers together may hold at once.
	MaxAckPending = 10000
)

// Connect dials a NATS server (a comma-separated list of URLs for a
// cluster) with what the URL holds of credentials; Dial takes more.
func Connect(url, name string, onChange func(string)) (*nats.Conn, error) {
	return Dial(ConnOptions{URL: url, Name: name, OnChange: onChange})
}

// streams makes sure the jobs and results streams exist and returns the
// JetStream context.
func streams(ctx context.Context, nc *nats.Conn) (jetstream.JetStream, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	for _, cfg := range []jetstream.StreamConfig{{
		Name:        JobsStream,
		Description: "drover's job queue: one message per job, removed once a worker has finished it",
		Subjects:    []string{jobsPrefix + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      StreamMaxAge,
		Duplicates:  DuplicateWindow,
	}, {
		Name:        ResultsStream,
		Description: "drover's job results, read by the run that submitted the jobs",
		Subjects:    []string{resultsPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      StreamMaxAge,
	}} {
		if _, err := js.Stream(ctx, cfg.Name); err == nil {
			continue
		} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, explain(err)
		}
		if _, err := js.CreateStream(ctx, cfg); err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return nil, fmt.Errorf("creating the stream %s: %w", cfg.Name, explain(err))
		}
	}
	return js, nil
}

// explain adds what to do to the errors a person can fix.
func explain(err error) error {
	switch {
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return fmt.Errorf("%w (start nats-server with -js)", err)
	case errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("JetStream is not enabled on this server (start nats-server with -js): %w", err)
	}
	return err
}

// workerConsumer makes sure the workers' durable consumer exists.
func workerConsumer(ctx context.Context, js jetstream.JetStream, ackWait time.Duration) (jetstream.Consumer, error) {
	if c, err := js.Consumer(ctx, JobsStream, WorkerGroup); err == nil {
		return c, nil
	} else if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, explain(err)
	}
	c, err := js.CreateConsumer(ctx, JobsStream, jetstream.ConsumerConfig{
		Durable:       WorkerGroup,
		Description:   "drover workers: every worker pulls its jobs through this consumer",
		FilterSubject: jobsPrefix + ">",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxDeliver:    -1, // the worker gives up on a poison job itself, with a result
		MaxAckPending: MaxAckPending,
	})
	if errors.Is(err, jetstream.ErrConsumerExists) {
		return js.Consumer(ctx, JobsStream, WorkerGroup)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the consumer %s: %w", WorkerGroup, explain(err))
	}
	return c, nil
}
