package fleet

import (
	"context"
	"errors"
	"fmt"
	"github.com/drover/drover/runner"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// streams makes sure the jobs and results streams of names exist, with
// replicas copies of each when drover creates them (0: one), and that
// streams it finds have the settings drover relies on (and replicas
// copies, unless replicas is 0). It returns the JetStream context.
func streams(ctx context.Context, nc *nats.Conn, names Names, replicas int) (jetstream.JetStream, error) {
	if nc.Opts.InboxPrefix != "" && nc.Opts.InboxPrefix != names.Inbox || nc.Opts.InboxPrefix == "" && names.Inbox != "_INBOX" {
		return nil, fmt.Errorf("the connection's reply subjects start with %q, not %q: connect with the namespace's InboxOption", nc.Opts.InboxPrefix, names.Inbox)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	for _, cfg := range []jetstream.StreamConfig{{
		Name:        names.JobsStream,
		Description: "drover's job queue: one message per job, removed once a worker has finished it",
		Subjects:    []string{names.jobs(">")},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      StreamMaxAge,
		Duplicates:  DuplicateWindow,
		Replicas:    max(replicas, 1),
	}, {
		Name:        names.ResultsStream,
		Description: "drover's job results, read by the run that submitted the jobs",
		Subjects:    []string{names.results(">")},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      StreamMaxAge,
		Replicas:    max(replicas, 1),
	}} {
		st, err := js.Stream(ctx, cfg.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			st, err = js.CreateStream(ctx, cfg)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				st, err = js.Stream(ctx, cfg.Name) // another worker or run was first
			} else if err != nil {
				return nil, fmt.Errorf("creating the stream %s with %s: %w", cfg.Name, runner.Plural(cfg.Replicas, "replica"), explainCreate(err, cfg.Replicas))
			}
		}
		if err != nil {
			return nil, explain(err)
		}
		if err := checkStream(st.CachedInfo().Config, cfg, replicas); err != nil {
			return nil, err
		}
	}
	return js, nil
}

// explainCreate adds what to do to the errors of a stream's creation.
func explainCreate(err error, replicas int) error {
	var api *jetstream.APIError
	if errors.As(err, &api) && replicas > 1 && (strings.Contains(api.Description, "replicas") || strings.Contains(api.Description, "insufficient resources")) {
		return fmt.Errorf("%w (--replicas %d needs a JetStream cluster of at least %d servers)", err, replicas, replicas)
	}
	return explain(err)
}

// checkStream compares a stream's settings with those drover needs
// (want, as drover would create it), and says each difference: the
// setting, what was found, what is wanted, and how to fix it. replicas 0
// takes any number of replicas.
func checkStream(found, want jetstream.StreamConfig, replicas int) error {
	recreate := fmt.Sprintf("with no run active, delete the stream (nats stream rm %s) and let drover create it again", want.Name)
	var bad []string
	differ := func(setting string, f, w any, fix string) {
		bad = append(bad, fmt.Sprintf("%s: found %v, want %v (%s)", setting, f, w, fix))
	}
	if found.Retention != want.Retention {
		differ("retention", found.Retention, want.Retention, recreate)
	}
	for _, s := range want.Subjects {
		if !slices.Contains(found.Subjects, s) {
			differ("subjects", found.Subjects, fmt.Sprintf("%s among them", s), fmt.Sprintf("nats stream edit %s --subjects %s", want.Name, s))
		}
	}
	if replicas > 0 && found.Replicas != replicas {
		differ("replicas", found.Replicas, fmt.Sprintf("%d (--replicas)", replicas),
			fmt.Sprintf("give --replicas %d, or %s with --replicas %d: raising a work queue's replicas later can leave finished jobs on it, to run again", found.Replicas, recreate, replicas))
	}
	if found.Discard == jetstream.DiscardOld {
		for _, l := range []struct {
			name string
			n    int64
		}{{"max messages", found.MaxMsgs}, {"max bytes", found.MaxBytes}, {"max messages per subject", found.MaxMsgsPerSubject}} {
			if l.n > 0 {
				differ("discard", fmt.Sprintf("old, with %s %d", l.name, l.n), "new, or no limit",
					fmt.Sprintf("a full stream would drop %s without a word; nats stream edit %s --discard new", what(want), want.Name))
				break
			}
		}
	}
	if found.MaxAge > 0 && found.MaxAge < time.Hour {
		differ("max age", found.MaxAge, "at least 1h, or none", fmt.Sprintf("%s that wait longer are dropped without a word; nats stream edit %s --max-age %s", what(want), want.Name, StreamMaxAge))
	}
	if found.Sealed {
		differ("sealed", true, false, recreate)
	}
	if found.NoAck {
		differ("no ack", true, false, fmt.Sprintf("drover waits for the server to store each message; %s", recreate))
	}
	if len(bad) > 0 {
		return fmt.Errorf("the stream %s does not have the settings drover needs: %s", want.Name, strings.Join(bad, "; "))
	}
	return nil
}

func what(cfg jetstream.StreamConfig) string {
	if cfg.Retention == jetstream.WorkQueuePolicy {
		return "jobs"
	}
	return "results"
}

// workerConsumer makes sure the workers' durable consumer exists, and has
// the settings drover relies on.
func workerConsumer(ctx context.Context, js jetstream.JetStream, names Names, ackWait time.Duration) (jetstream.Consumer, error) {
	want := jetstream.ConsumerConfig{
		Durable:       names.Consumer,
		Description:   "drover workers: every worker pulls its jobs through this consumer",
		FilterSubject: names.jobs(">"),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxDeliver:    -1, // the worker gives up on a poison job itself, with a result
		MaxAckPending: MaxAckPending,
		// Replicas 0: as many as the stream, which a work queue requires.
	}
	c, err := js.Consumer(ctx, names.JobsStream, names.Consumer)
	if errors.Is(err, jetstream.ErrNotPullConsumer) {
		return nil, fmt.Errorf("the consumer %s of the stream %s does not have the settings drover needs: type: found push, want pull (with no worker running, delete the consumer (nats consumer rm %s %s) and let drover create it again)",
			names.Consumer, names.JobsStream, names.JobsStream, names.Consumer)
	}
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		c, err = js.CreateConsumer(ctx, names.JobsStream, want)
		if errors.Is(err, jetstream.ErrConsumerExists) {
			c, err = js.Consumer(ctx, names.JobsStream, names.Consumer)
		} else if err != nil {
			return nil, fmt.Errorf("creating the consumer %s: %w", names.Consumer, explain(err))
		}
	}
	if err != nil {
		return nil, explain(err)
	}
	st, err := js.Stream(ctx, names.JobsStream)
	if err != nil {
		return nil, explain(err)
	}
	if err := checkConsumer(c.CachedInfo().Config, want, names, st.CachedInfo().Config.Replicas); err != nil {
		return nil, err
	}
	return c, nil
}

// checkConsumer compares the workers' consumer's settings with those
// drover needs, as checkStream does for a stream.
func checkConsumer(found, want jetstream.ConsumerConfig, names Names, streamReplicas int) error {
	recreate := fmt.Sprintf("with no worker running, delete the consumer (nats consumer rm %s %s) and let drover create it again", names.JobsStream, names.Consumer)
	var bad []string
	differ := func(setting string, f, w any, fix string) {
		bad = append(bad, fmt.Sprintf("%s: found %v, want %v (%s)", setting, f, w, fix))
	}
	if found.AckPolicy != want.AckPolicy {
		differ("ack policy", found.AckPolicy, want.AckPolicy, recreate)
	}
	filters := found.FilterSubjects
	if found.FilterSubject != "" {
		filters = append(filters, found.FilterSubject)
	}
	if len(filters) > 0 && !slices.Equal(filters, []string{want.FilterSubject}) {
		differ("filter subjects", filters, want.FilterSubject, recreate)
	}
	if found.MaxDeliver > 0 {
		differ("max deliver", found.MaxDeliver, "none (-1)", fmt.Sprintf("the server would leave a job delivered %d times on the queue for ever; drover workers apply --max-deliver themselves; nats consumer edit %s %s --max-deliver=-1", found.MaxDeliver, names.JobsStream, names.Consumer))
	}
	// A work queue's consumer must have as many replicas as its stream:
	// each copy of the stream drops a job when the consumer's copy beside
	// it hears of its acknowledgement.
	if found.Replicas != 0 && found.Replicas != streamReplicas {
		differ("replicas", found.Replicas, fmt.Sprintf("%d, as the stream", streamReplicas), recreate)
	}
	if len(bad) > 0 {
		return fmt.Errorf("the consumer %s of the stream %s does not have the settings drover needs: %s", names.Consumer, names.JobsStream, strings.Join(bad, "; "))
	}
	return nil
}

// checkQueueDrains makes sure that the job queue drops the jobs its
// consumer acknowledges. A work queue whose replicas were raised after it
// was created can keep them on nats-server 2.9: its consumer has them
// acknowledged, yet they stay on the stream, and the next leader of the
// stream hands them out again. A job at or below the consumer's ack floor
// that is still on the stream a second later is such a job.
func checkQueueDrains(ctx context.Context, js jetstream.JetStream, names Names, cons jetstream.Consumer) error {
	st, err := js.Stream(ctx, names.JobsStream)
	if err != nil {
		return explain(err)
	}
	ci, err := cons.Info(ctx)
	if err != nil {
		return explain(err)
	}
	acked := ci.AckFloor.Stream
	for try := 0; ; try++ {
		state := st.CachedInfo().State
		if state.Msgs == 0 || state.FirstSeq > acked {
			return nil
		}
		if try == 1 {
			return &KeptJobsError{fmt.Sprintf("the stream %s still holds jobs that its consumer %s acknowledged (its first job is %d, acknowledged up to %d): "+
				"its copies do not drop finished jobs, as after raising the replicas of a work queue on nats-server 2.9, and those jobs would run again; "+
				"with no run active, delete the streams (nats stream rm %s; nats stream rm %s) and let drover create them again with --replicas N",
				names.JobsStream, names.Consumer, state.FirstSeq, acked, names.JobsStream, names.ResultsStream)}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
		if st, err = js.Stream(ctx, names.JobsStream); err != nil {
			return explain(err)
		}
	}
}

// KeptJobsError says that the job queue keeps jobs its consumer has
// acknowledged: they would run again. Workers and runs refuse such a
// queue, when they start and while they run.
type KeptJobsError struct{ msg string }

func (e *KeptJobsError) Error() string { return e.msg }

// queueCheckEvery is how often a running worker or run checks that the
// job queue drops the jobs its consumer acknowledged.
const queueCheckEvery = 10 * time.Second

// watchQueue checks the job queue with checkQueueDrains every interval
// until ctx ends, and returns the first *KeptJobsError found (nil once
// ctx has ended). Other errors (a leader being elected) are passing: the
// next check tries again.
func (s *Server) watchQueue(ctx context.Context, cons jetstream.Consumer, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := checkQueueDrains(cctx, s.js, s.names, cons)
		cancel()
		var kept *KeptJobsError
		if errors.As(err, &kept) {
			return kept
		}
	}
}

// workersConsumer is the workers' consumer, or nil when no worker has
// created it yet.
func (s *Server) workersConsumer(ctx context.Context) (jetstream.Consumer, error) {
	c, err := s.js.Consumer(ctx, s.names.JobsStream, s.names.Consumer)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, nil
	}
	return c, err
}

// checkQueue checks, once the workers' consumer exists, that the job
// queue drops the jobs it acknowledged.
func (s *Server) checkQueue(ctx context.Context) error {
	ctx, done := s.guard(ctx)
	defer done()
	cons, err := s.workersConsumer(ctx)
	if err == nil && cons != nil {
		err = checkQueueDrains(ctx, s.js, s.names, cons)
	}
	if err != nil {
		return s.refused(ctx, err)
	}
	return nil
}
