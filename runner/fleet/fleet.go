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

// Limits of the streams and the consumer, as created on first use. An
// operator may change some of them afterwards; the settings drover relies
// on are checked whenever a worker or a run starts (see checkStream).
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

// explain adds what to do to the errors a person can fix.
func explain(err error) error {
	switch {
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return fmt.Errorf("%w (start nats-server with -js)", err)
	case errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("JetStream is not enabled on this server (start nats-server with -js): %w", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return fmt.Errorf("JetStream did not answer in time (%w); a cluster that has just lost a server may still be electing its leaders: try again", err)
	}
	return err
}
