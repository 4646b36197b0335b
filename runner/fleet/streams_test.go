package fleet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Streams and a consumer that drover finds with settings it cannot work
// with are refused, each difference named with what to do.
func TestExistingStreamSettingsChecked(t *testing.T) {
	jobs := func(edit func(*jetstream.StreamConfig)) func(context.Context, jetstream.JetStream) error {
		return func(ctx context.Context, js jetstream.JetStream) error {
			cfg := jetstream.StreamConfig{Name: JobsStream, Subjects: []string{"drover.jobs.>"}, Retention: jetstream.WorkQueuePolicy}
			edit(&cfg)
			_, err := js.CreateStream(ctx, cfg)
			return err
		}
	}
	consumer := func(edit func(*jetstream.ConsumerConfig)) func(context.Context, jetstream.JetStream) error {
		return func(ctx context.Context, js jetstream.JetStream) error {
			if err := jobs(func(*jetstream.StreamConfig) {})(ctx, js); err != nil {
				return err
			}
			cfg := jetstream.ConsumerConfig{Durable: WorkerGroup, FilterSubject: "drover.jobs.>", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: -1}
			edit(&cfg)
			_, err := js.CreateConsumer(ctx, JobsStream, cfg)
			return err
		}
	}
	for _, c := range []struct {
		name     string
		setup    func(context.Context, jetstream.JetStream) error
		replicas int
		want     string
	}{
		{"limits retention", jobs(func(c *jetstream.StreamConfig) { c.Retention = jetstream.LimitsPolicy }), 0,
			"the stream DROVER_JOBS does not have the settings drover needs: retention: found Limits, want WorkQueue (with no run active, delete the stream (nats stream rm DROVER_JOBS) and let drover create it again)"},
		{"other subjects", jobs(func(c *jetstream.StreamConfig) { c.Subjects = []string{"jobs.>"} }), 0,
			"subjects: found [jobs.>], want drover.jobs.> among them (nats stream edit DROVER_JOBS --subjects drover.jobs.>)"},
		{"other replicas", jobs(func(*jetstream.StreamConfig) {}), 3,
			"replicas: found 1, want 3 (--replicas) (give --replicas 1, or with no run active, delete the stream"},
		{"discard old", jobs(func(c *jetstream.StreamConfig) { c.MaxMsgs = 100 }), 0,
			"discard: found old, with max messages 100, want new, or no limit (a full stream would drop jobs without a word; nats stream edit DROVER_JOBS --discard new)"},
		{"short max age", jobs(func(c *jetstream.StreamConfig) { c.MaxAge = time.Minute }), 0,
			"max age: found 1m0s, want at least 1h, or none"},
		{"results with interest retention", func(ctx context.Context, js jetstream.JetStream) error {
			_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: ResultsStream, Subjects: []string{"drover.results.>"}, Retention: jetstream.InterestPolicy})
			return err
		}, 0, "the stream DROVER_RESULTS does not have the settings drover needs: retention: found Interest, want Limits"},
		{"consumer: delivery cap", consumer(func(c *jetstream.ConsumerConfig) { c.MaxDeliver = 3 }), 0,
			"the consumer drover-workers of the stream DROVER_JOBS does not have the settings drover needs: max deliver: found 3, want none (-1)"},
		{"consumer: push consumer", consumer(func(c *jetstream.ConsumerConfig) { c.DeliverSubject = "somewhere" }), 0,
			"type: found push, want pull (with no worker running, delete the consumer (nats consumer rm DROVER_JOBS drover-workers) and let drover create it again)"},
		{"consumer: other filter", consumer(func(c *jetstream.ConsumerConfig) { c.FilterSubject = "drover.jobs.x" }), 0,
			"filter subjects: found [drover.jobs.x], want drover.jobs.>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := startServer(t)
			js, _ := jetstream.New(connect(t, url))
			ctx := context.Background()
			if err := c.setup(ctx, js); err != nil {
				t.Fatal(err)
			}
			srv, err := OpenServer(ctx, connect(t, url), "", c.replicas)
			if err == nil {
				_, err = NewWorker(ctx, srv, WorkerConfig{Jobs: 1, Prefetch: 1, MaxDeliver: 1})
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("worker: %v\nwant %q", err, c.want)
			}
			if strings.HasPrefix(c.name, "consumer:") {
				return // a run does not use the workers' consumer
			}
			srv, err = OpenServer(ctx, connect(t, url), "", c.replicas)
			if err == nil {
				_, err = NewSubmitter(ctx, srv, SubmitConfig{InFlight: 1})
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("run: %v\nwant %q", err, c.want)
			}
		})
	}
}

// The names of a namespace, and the prefixes refused.
func TestNames(t *testing.T) {
	n := mustNames(t, "team-a")
	got := []string{n.JobsStream, n.ResultsStream, n.Consumer, n.Inbox, n.jobs("r1"), n.results("r1"), n.notice("r1"), n.cancel("*")}
	want := []string{"DROVER_team-a_JOBS", "DROVER_team-a_RESULTS", "drover-team-a-workers", "_INBOX_team-a",
		"drover.team-a.jobs.r1", "drover.team-a.results.r1", "drover.team-a.notice.r1", "drover.team-a.cancel.*"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("names %v, want %v", got, want)
	}
	d := mustNames(t, "")
	if d.JobsStream != JobsStream || d.jobs("r1") != "drover.jobs.r1" || d.Consumer != WorkerGroup || d.Inbox != "_INBOX" {
		t.Errorf("default names %+v", d)
	}
	for _, bad := range []string{"a.b", "a b", "*", ">", "a/b", "jobs", "cancel", strings.Repeat("x", 33), "é"} {
		if _, err := NewNames(bad); err == nil {
			t.Errorf("prefix %q accepted", bad)
		}
	}
	for _, bad := range []string{"", "a b", "a.b", "*", ">", strings.Repeat("r", 65)} {
		if CheckRunID(bad) == nil {
			t.Errorf("run id %q accepted", bad)
		}
	}
}
