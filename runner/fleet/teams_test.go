package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/runner"
)

// teamsConfig is the example server configuration of the README.
const teamsConfig = "../../testdata/nats/teams.conf"

// The README shows the example configuration as it is tested.
func TestREADMEShowsTheTeamsConfig(t *testing.T) {
	conf, err := os.ReadFile(teamsConfig)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```\n"+string(conf)+"```\n") {
		t.Errorf("README.md does not show %s as it is", teamsConfig)
	}
}

// Two teams share one server with the example configuration: each
// team's submitter and worker do their work with their permissions, and
// nothing more; neither team sees the other's jobs.
func TestTeamsOnOneServer(t *testing.T) {
	opts, err := server.ProcessConfigFile(teamsConfig)
	if err != nil {
		t.Fatal(err)
	}
	base := runServer(t, func(o *server.Options) {
		store := o.StoreDir
		*o = *opts
		o.Host, o.Port, o.StoreDir, o.NoLog, o.NoSigs = "127.0.0.1", -1, store, true, true
	}).ClientURL()
	as := func(user, password string) string {
		return strings.Replace(base, "nats://", fmt.Sprintf("nats://%s:%s@", user, password), 1)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server reported:\n%s", strings.Join(serverErrors(t), "\n"))
		}
	})
	aSubmitter, aWorker := as("team-a-submitter", "a-submit"), as("team-a-worker", "a-work")
	bSubmitter, bWorker := as("team-b-submitter", "b-submit"), as("team-b-worker", "b-work")
	script := `echo "$WORKER"`

	// The administrator creates team b's streams. Team a's users may create
	// none, so none over team b's subjects: not a queue that team b's runs
	// and workers could then not create, nor a stream that would keep team
	// b's notices for team a to read.
	admin := as("drover-admin", "admin")
	openOn(t, connectIn(t, admin, "team-b"), "team-b", 0)
	for _, try := range []struct{ user, stream, subject string }{
		{aSubmitter, "DROVER_team-a_RESULTS", "drover.team-b.notice.*"},
		{aWorker, "DROVER_team-a_JOBS", "drover.team-b.run.*"},
		{aSubmitter, "KV_DROVER_team-a_RUNS", "drover.team-b.cancel.*"},
	} {
		js, _ := jetstream.New(connectIn(t, try.user, "team-a"))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: try.stream, Subjects: []string{try.subject}})
		cancel()
		if err == nil {
			t.Errorf("a team a user created the stream %s over %s", try.stream, try.subject)
		}
	}
	openOn(t, connectIn(t, admin, "team-a"), "team-a", 0)

	// Team a's jobs wait on the queue, with no team a worker yet; team b's
	// worker runs team b's run and never gets them.
	runA := submitAt(t, at{url: aSubmitter, prefix: "team-a"}, SubmitConfig{}, shJobs(3, script))
	waitFor(t, "team a's jobs queued", func() bool { return streamMsgsAs(t, aWorker, "team-a", "DROVER_team-a_JOBS") == 3 })
	wb := startWorkerAt(t, at{url: bWorker, prefix: "team-b"}, "b", WorkerConfig{})
	runB := submitAt(t, at{url: bSubmitter, prefix: "team-b"}, SubmitConfig{}, shJobs(3, script))
	if sum := runB.finish(t); sum.Succeeded != 3 {
		t.Fatalf("team b: summary %+v", sum.Counts)
	}
	for id, out := range runB.stdout {
		if out != "b\n" {
			t.Errorf("team b's %s ran on %q", id, out)
		}
	}
	if n := streamMsgsAs(t, aWorker, "team-a", "DROVER_team-a_JOBS"); n != 3 {
		t.Errorf("team a's queue holds %d jobs, want 3", n)
	}

	// What team b's users try against team a's names is refused.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, user := range []string{bWorker, bSubmitter} {
		nc := connectIn(t, user, "team-b")
		js, _ := jetstream.New(nc)
		if _, err := js.Consumer(ctx, "DROVER_team-a_JOBS", "drover-team-a-workers"); err == nil {
			t.Errorf("%s: got team a's consumer", user)
		}
		if _, err := js.Stream(ctx, "DROVER_team-a_JOBS"); err == nil {
			t.Errorf("%s: got team a's stream", user)
		}
		if _, err := js.Publish(ctx, "drover.team-a.jobs.0123456789abcdef", []byte("{}")); err == nil {
			t.Errorf("%s: queued a job for team a", user)
		}
		for _, subject := range []string{"drover.team-a.jobs.>", "drover.team-a.results.*", "drover.>", "_INBOX.>", "_INBOX_team-a.>", "$JS.ACK.>"} {
			refused := func() int {
				return strings.Count(strings.Join(serverErrors(t), "\n"), fmt.Sprintf("Permissions Violation for Subscription to %q", subject))
			}
			n := refused()
			sub, err := nc.ChanSubscribe(subject, make(chan *nats.Msg, 10))
			if err != nil {
				t.Fatal(err)
			}
			nc.Flush()
			waitFor(t, "the subscription to "+subject+" refused", func() bool { return refused() > n })
			sub.Unsubscribe()
		}
	}
	before := len(serverErrors(t))

	// Team a's worker comes: team a's run ends, on it alone.
	wa := startWorkerAt(t, at{url: aWorker, prefix: "team-a"}, "a", WorkerConfig{})
	if sum := runA.finish(t); sum.Succeeded != 3 {
		t.Fatalf("team a: summary %+v", sum.Counts)
	}
	for id, out := range runA.stdout {
		if out != "a\n" {
			t.Errorf("team a's %s ran on %q", id, out)
		}
	}
	// drover status and drover cancel, as team a's submitter, exercise the
	// rest of its permissions.
	names := mustNames(t, "team-a")
	ctrl := connectIn(t, aSubmitter, "team-a")
	stopped := submitAt(t, at{url: aSubmitter, prefix: "team-a"}, SubmitConfig{}, shJobs(2, "sleep 600"))
	stopped.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	if st, err := openOn(t, ctrl, names.Prefix, 0).Status(ctx2(t), stopped.RunID()); err != nil || len(st.Held) == 0 {
		t.Errorf("status: %+v, %v", st, err)
	}
	if list, err := openOn(t, ctrl, names.Prefix, 0).ListRuns(ctx2(t)); err != nil || len(list) != 2 {
		t.Errorf("runs: %d, %v", len(list), err)
	}
	if _, err := openOn(t, ctrl, names.Prefix, 0).Cancel(ctx2(t), stopped.RunID(), 10*time.Second); err != nil {
		t.Errorf("cancel: %v", err)
	}
	if sum := stopped.finish(t); sum.Canceled+sum.NotStarted != 2 {
		t.Errorf("canceled run: summary %+v", sum.Counts)
	}
	wa.Drain()
	wb.Drain()
	wa.wait(t)
	wb.wait(t)
	if errs := serverErrors(t)[before:]; len(errs) > 0 {
		t.Errorf("the roles at work hit errors:\n%s", strings.Join(errs, "\n"))
	}

	// A team's user with another team's prefix is refused at once, and
	// told which subject it may not use.
	for _, user := range []string{bWorker, bSubmitter} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := OpenServer(ctx, connectIn(t, user, "team-a"), "team-a", 0)
		cancel()
		var denied *DeniedError
		if !errors.As(err, &denied) || !strings.Contains(denied.Subject, "team-a") {
			t.Errorf("%s with --prefix team-a: %v, want a refused permission naming a subject of team a", user, err)
		}
	}
}

func ctx2(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// streamMsgsAs is the number of messages in a stream, asked as user.
func streamMsgsAs(t *testing.T, user, prefix, stream string) uint64 {
	js, _ := jetstream.New(connectIn(t, user, prefix))
	st, err := js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State.Msgs
}
