package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// waitFor collects a run's results, with what it recorded.
type waitRecords struct {
	mu   sync.Mutex
	recs []runner.Record
}

func (w *waitRecords) record(res *runner.Result) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.recs = append(w.recs, runner.NewRecord(res))
	return nil
}

func waitRun(t *testing.T, url, run string, known func(string) bool) (*Waited, []runner.Record) {
	t.Helper()
	var w waitRecords
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := openOn(t, connect(t, url), "", 0).Wait(ctx, run, WaitConfig{Record: w.record, Known: known, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return got, w.recs
}

// A detached run is on the queue when its submitter returns; its jobs run
// without it, drover status sees them running and where, and Wait
// collects every result once, then the run is collected.
func TestDetachedRunStatusAndWait(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s; while [ ! -e %s ]; do sleep 0.01; done; [ "$DROVER_JOB_ID" != job3 ]`, log, gate)
	src := append(*shJobs(5, script), &jobspec.Job{ID: "done", Seq: 6, Argv: []string{"true"}})
	run := submit(t, url, SubmitConfig{Detach: true, Name: "host:1", Skip: func(j *jobspec.Job) bool { return j.ID == "done" }}, &src)
	sum := run.finish(t)
	if run.Queued() != 5 || sum.Skipped != 1 || len(run.records) != 1 {
		t.Fatalf("detached submission: %d queued, summary %+v, %d records", run.Queued(), sum.Counts, len(run.records))
	}
	nc := connect(t, url)
	st, err := openOn(t, nc, "", 0).Status(context.Background(), run.RunID())
	if err != nil {
		t.Fatal(err)
	}
	if st.State != Submitted || !st.Detached || st.SubmitterAlive || st.OnQueue != 5 || st.Queued != 5 || st.Local != 1 || st.Submitter != "host:1" {
		t.Errorf("status before any worker: %+v", st)
	}

	startWorker(t, url, "a", WorkerConfig{Jobs: 2})
	waitFor(t, "two jobs running", func() bool { return len(lines(log)) == 2 })
	st, err = openOn(t, nc, "", 0).Status(context.Background(), run.RunID())
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, h := range st.Held {
		if h.Running {
			running++
			if h.Worker != "a" || h.Run != run.RunID() || !strings.HasPrefix(h.ID, "job") {
				t.Errorf("held %+v", h)
			}
		}
	}
	if running != 2 || st.OnQueue != 5 {
		t.Errorf("status with two running: %+v", st)
	}

	os.WriteFile(gate, nil, 0o644)
	got, recs := waitRun(t, url, run.RunID(), nil)
	if got.Jobs != 6 || got.Succeeded != 4 || got.Failed != 1 || got.Skipped != 1 || len(recs) != 5 || got.Info.Incomplete {
		t.Errorf("wait: %+v, %d records", got.Counts, len(recs))
	}
	for _, r := range recs {
		if r.Record != fmt.Sprintf("test:%s", strings.TrimPrefix(r.ID, "job")) {
			t.Errorf("record %+v has lost its position", r)
		}
	}
	if n := len(lines(log)); n != 5 {
		t.Errorf("%d jobs ran, want 5", n)
	}
	if n := streamMsgs(t, url, ResultsStream); n != 0 {
		t.Errorf("%d results left on the server after the wait", n)
	}
	again, recs := waitRun(t, url, run.RunID(), nil)
	if !again.AlreadyCollected || again.Succeeded != 4 || again.Failed != 1 || len(recs) != 0 {
		t.Errorf("second wait: %+v, %d records", again, len(recs))
	}
	list, err := openOn(t, nc, "", 0).ListRuns(context.Background())
	if err != nil || len(list) != 1 || list[0].State != Collected {
		t.Errorf("runs: %+v, %v", list, err)
	}
	if _, err := openOn(t, nc, "", 0).Status(context.Background(), "0123456789abcdef"); !errors.Is(err, ErrNoRun) {
		t.Errorf("status of an unknown run: %v", err)
	}
	if _, err := openOn(t, nc, "", 0).Wait(context.Background(), "../x", WaitConfig{}); !errors.Is(err, ErrNoRun) {
		t.Errorf("wait on a bad run id: %v", err)
	}
}

// Cancel withdraws a detached run's queued jobs and stops its running
// ones; Wait then records those canceled and counts the rest not started.
func TestCancelDetachedRun(t *testing.T) {
	url := startServer(t)
	log := filepath.Join(t.TempDir(), "log")
	run := submit(t, url, SubmitConfig{Detach: true}, shJobs(6, fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s; exec sleep 600`, log)))
	run.finish(t)
	startWorker(t, url, "a", WorkerConfig{Jobs: 2})
	waitFor(t, "two jobs running", func() bool { return len(lines(log)) == 2 })

	rep, err := openOn(t, connect(t, url), "", 0).Cancel(context.Background(), run.RunID(), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != 2 || rep.Unanswered != 0 {
		t.Errorf("cancel: %+v", rep)
	}
	got, recs := waitRun(t, url, run.RunID(), nil)
	if got.Jobs != 6 || got.Canceled != 2 || got.NotStarted != 4 || len(recs) != 2 {
		t.Errorf("wait after cancel: %+v, %d records", got.Counts, len(recs))
	}
	if n := len(lines(log)); n != 2 {
		t.Errorf("%d jobs ran, want 2", n)
	}
	if rep, err := openOn(t, connect(t, url), "", 0).Cancel(context.Background(), run.RunID(), time.Second); err != nil || rep.Already != Collected {
		t.Errorf("cancel of a collected run: %+v, %v", rep, err)
	}
}

// A running job whose worker sends no result (cut off, hung): Cancel
// records it canceled itself once the wait is over.
func TestCancelRecordsJobsOfALostWorker(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{Detach: true}, shJobs(1, "true"))
	run.finish(t)
	// A worker that takes the job, says it runs it, and does nothing more.
	nc := connect(t, url)
	js, err := streams(context.Background(), nc, noPrefix, 0)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := workerConsumer(context.Background(), js, noPrefix, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(1, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for msg := range batch.Messages() {
		m, err := decodeJob(msg.Data(), msg.Subject(), noPrefix)
		if err != nil {
			t.Fatal(err)
		}
		sub, _ := nc.Subscribe(noPrefix.status(), func(req *nats.Msg) {
			data, _ := json.Marshal(heldReport{Worker: "mute", Held: 1, Jobs: []HeldJob{{Run: m.Run, Seq: m.Seq, ID: m.ID, Running: true, Worker: "mute"}}})
			req.Respond(data)
		})
		t.Cleanup(func() { sub.Unsubscribe() })
	}

	rep, err := openOn(t, connect(t, url), "", 0).Cancel(context.Background(), run.RunID(), 300*time.Millisecond)
	if err != nil || rep.Stopped != 1 || rep.Unanswered != 1 {
		t.Fatalf("cancel: %+v, %v", rep, err)
	}
	got, recs := waitRun(t, url, run.RunID(), nil)
	if got.Canceled != 1 || len(recs) != 1 || recs[0].Error == nil || !strings.Contains(*recs[0].Error, "no result came from worker mute within 300ms") {
		t.Errorf("wait: %+v, %+v", got.Counts, recs)
	}
}

// Cancel stops a run whose submitter is attached: the submitter ends,
// with the running jobs canceled.
func TestCancelAttachedRun(t *testing.T) {
	url := startServer(t)
	log := filepath.Join(t.TempDir(), "log")
	run := submit(t, url, SubmitConfig{}, shJobs(4, fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s; exec sleep 600`, log)))
	startWorker(t, url, "a", WorkerConfig{Jobs: 1})
	waitFor(t, "a job running", func() bool { return len(lines(log)) == 1 })
	if _, err := openOn(t, connect(t, url), "", 0).Cancel(context.Background(), run.RunID(), 20*time.Second); err != nil {
		t.Fatal(err)
	}
	sum := run.finish(t)
	if sum.Canceled != 1 || sum.NotStarted != 3 || sum.Jobs != 4 {
		t.Errorf("summary %+v", sum.Counts)
	}
	if st, err := openOn(t, connect(t, url), "", 0).Status(context.Background(), run.RunID()); err != nil || st.State != Collected {
		t.Errorf("status after the run: %+v, %v", st, err)
	}
}

// A submitter lost mid-submission leaves its run open: Unfinished names it
// (so that --resume does not queue its jobs again), Wait collects what it
// queued, marks it incomplete, and then it is no longer open.
func TestLostSubmitter(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	all := *shJobs(5, fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s`, log))
	gate := make(chan struct{})
	src := &gatedSource{first: all[:3], then: all[3:], gate: gate}
	run := submit(t, url, SubmitConfig{Results: "/r/results.ndjson", Name: "box:42"}, src)
	t.Cleanup(func() { close(gate) }) // before the submitter's cleanup waits for it
	run.await(t, "three jobs accepted", func(ev runner.Event) bool { return ev.Kind == runner.JobAccepted && ev.Job.Seq == 3 })
	waitFor(t, "three jobs queued", func() bool { return run.Queued() == 3 })
	if st, err := openOn(t, connect(t, url), "", 0).Status(context.Background(), run.RunID()); err != nil || st.State != Submitting || !st.SubmitterAlive || st.Queued != 3 {
		t.Errorf("status while submitting: %+v, %v", st, err)
	}
	run.srv.nc.Close() // the submitter is gone: no answer, no more jobs, no results read

	nc := connect(t, url)
	open, err := openOn(t, nc, "", 0).Unfinished(context.Background(), nil, "/r/results.ndjson", "box")
	if err != nil || len(open) != 1 || open[0].Run != run.RunID() {
		t.Fatalf("unfinished by results file: %+v, %v", open, err)
	}
	if open, _ := openOn(t, nc, "", 0).Unfinished(context.Background(), []string{run.RunID()}, "", ""); len(open) != 1 {
		t.Errorf("unfinished by run id: %+v", open)
	}
	if open, _ := openOn(t, nc, "", 0).Unfinished(context.Background(), nil, "/r/results.ndjson", "other"); len(open) != 0 {
		t.Errorf("another host's results file: %+v", open)
	}

	startWorker(t, url, "a", WorkerConfig{})
	got, recs := waitRun(t, url, run.RunID(), func(id string) bool { return id == "job1" })
	if !got.Info.Incomplete || got.Succeeded != 3 || len(recs) != 2 {
		t.Errorf("wait: %+v (incomplete %v), %d records", got.Counts, got.Info.Incomplete, len(recs))
	}
	if open, _ := openOn(t, nc, "", 0).Unfinished(context.Background(), []string{run.RunID()}, "/r/results.ndjson", "box"); len(open) != 0 {
		t.Errorf("still unfinished after the wait: %+v", open)
	}
	if n := len(lines(log)); n != 3 {
		t.Errorf("%d jobs ran, want 3", n)
	}
}

// Wait refuses a run whose attached submitter is alive and collecting.
func TestWaitRefusesAnAttachedRun(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(1, "true"))
	run.await(t, "the job accepted", func(ev runner.Event) bool { return ev.Kind == runner.JobAccepted })
	_, err := openOn(t, connect(t, url), "", 0).Wait(context.Background(), run.RunID(), WaitConfig{})
	if !errors.Is(err, ErrCollectedBySubmitter) {
		t.Errorf("wait: %v", err)
	}
}
