package fleet

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// runsOn returns the JetStream context and the runs bucket, creating the
// streams and the bucket if need be.

// onQueue counts the run's messages in the jobs stream.
func (s *Server) onQueue(ctx context.Context, run string) (int, error) {
	st, err := s.js.Stream(ctx, s.names.JobsStream)
	if err != nil {
		return 0, err
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(s.names.jobs(run)))
	if err != nil {
		return 0, err
	}
	return int(info.State.Subjects[s.names.jobs(run)]), nil
}

// readResults calls fn with each result of the run on the server, up to
// the last one there when it starts, once per job (the first result).
func (s *Server) readResults(ctx context.Context, run string, fn func(*resultMsg)) error {
	last, err := s.lastResult(ctx, run)
	if err != nil || last == 0 {
		return err
	}
	cons, err := s.js.OrderedConsumer(ctx, s.names.ResultsStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{s.names.results(run)},
	})
	if err != nil {
		return err
	}
	seen := map[int]bool{}
	for {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return err
		}
		done, n := false, 0
		for msg := range batch.Messages() { // read to the end: the fetch then ends
			n++
			if done {
				continue
			}
			if m, err := decodeResult(msg.Data()); err == nil && m.Run == run && !seen[m.Seq] {
				seen[m.Seq] = true
				fn(m)
			}
			if md, err := msg.Metadata(); err == nil && md.Sequence.Stream >= last {
				done = true
			}
		}
		if done || n == 0 { // none within a second: the rest was purged
			return nil
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// lastResult is the stream sequence of the run's last result, 0 for none.
func (s *Server) lastResult(ctx context.Context, run string) (uint64, error) {
	st, err := s.js.Stream(ctx, s.names.ResultsStream)
	if err != nil {
		return 0, err
	}
	m, err := st.GetLastMsgForSubject(ctx, s.names.results(run))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return m.Sequence, nil
}
