package fleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

func TestTwoWorkersShareARun(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	// Each worker holds at most three jobs (one running, one queued, one
	// in hand), so the six jobs need both; none ends before the gate opens.
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID:$WORKER" >> %s; while [ ! -e %s ]; do sleep 0.01; done; echo "out $DROVER_JOB_ID"`, log, gate)
	run := submit(t, url, SubmitConfig{}, shJobs(6, script))
	a := startWorker(t, url, "a", WorkerConfig{})
	b := startWorker(t, url, "b", WorkerConfig{})
	waitFor(t, "job started on each worker", func() bool {
		l := strings.Join(lines(log), " ")
		return strings.Contains(l, ":a") && strings.Contains(l, ":b")
	})
	os.WriteFile(gate, nil, 0o644)
	sum := run.finish(t)

	if sum.Jobs != 6 || sum.Succeeded != 6 || sum.NotStarted != 0 {
		t.Errorf("summary %+v, want 6 jobs, 6 succeeded", sum.Counts)
	}
	ran := map[string]int{}
	for _, l := range lines(log) {
		id, _, _ := strings.Cut(l, ":")
		ran[id]++
	}
	for i := 1; i <= 6; i++ {
		id := fmt.Sprintf("job%d", i)
		if ran[id] != 1 {
			t.Errorf("%s ran %d times, want once (log %v)", id, ran[id], lines(log))
		}
		if got := run.stdout[id]; got != "out "+id+"\n" {
			t.Errorf("%s: stdout %q came back", id, got)
		}
	}
	if n := countRecords(run.records); len(n) != 6 {
		t.Errorf("records %v", n)
	}
	workers := map[string]bool{}
	for _, rec := range run.records {
		workers[rec.Worker] = true
		if rec.Slot < 1 {
			t.Errorf("%s: record names no slot: %+v", rec.ID, rec)
		}
	}
	if !workers["a"] || !workers["b"] || len(workers) != 2 {
		t.Errorf("records name the workers %v, want a and b", workers)
	}
	a.Drain()
	b.Drain()
	a.wait(t)
	b.wait(t)
}

func TestKilledWorkersJobsFinishOnAnother(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	// On worker a the job hangs; on worker b it succeeds.
	script := fmt.Sprintf(`echo "$WORKER" >> %s; [ "$WORKER" = b ] || sleep 600`, log)
	run := submit(t, url, SubmitConfig{}, shJobs(1, script))
	a := startWorker(t, url, "a", WorkerConfig{AckWait: time.Second})
	waitFor(t, "job started on a", func() bool { return slices.Contains(lines(log), "a") })

	// Worker a dies: its connection goes, and its process is killed.
	a.nc.Close()
	a.Kill()
	a.wait(t)
	startWorker(t, url, "b", WorkerConfig{})
	sum := run.finish(t)

	if sum.Succeeded != 1 || sum.Jobs != 1 {
		t.Errorf("summary %+v, want the job succeeded", sum.Counts)
	}
	if got := lines(log); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("the job ran on %v, want a then b", got)
	}
	if len(run.records) != 1 || run.records[0].Status != runner.Succeeded {
		t.Errorf("records %+v", run.records)
	}
}

func TestDrainingWorkerHandsBackUnstartedJobs(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID:$WORKER" >> %s; [ "$WORKER" = b ] || while [ ! -e %s ]; do sleep 0.01; done`, log, gate)
	run := submit(t, url, SubmitConfig{}, shJobs(3, script))
	// The ack deadline is an hour: the jobs handed back must go to b at
	// once, not when the deadline passes.
	a := startWorker(t, url, "a", WorkerConfig{AckWait: time.Hour})
	run.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	waitFor(t, "worker a holding three jobs", func() bool { return a.holds() == 3 })
	a.Drain()
	startWorker(t, url, "b", WorkerConfig{})
	waitFor(t, "the two other jobs run on b", func() bool { return len(lines(log)) == 3 })
	os.WriteFile(gate, nil, 0o644)
	a.wait(t) // a returns once its running job is done
	sum := run.finish(t)

	if sum.Succeeded != 3 {
		t.Errorf("summary %+v, want 3 succeeded", sum.Counts)
	}
	onA, onB := 0, 0
	for _, l := range lines(log) {
		switch {
		case strings.HasSuffix(l, ":a"):
			onA++
		case strings.HasSuffix(l, ":b"):
			onB++
		}
	}
	if onA != 1 || onB != 2 {
		t.Errorf("ran %d on a and %d on b, want 1 and 2: %v", onA, onB, lines(log))
	}
}

// holds is the number of jobs the worker holds.
func (tw *testWorker) holds() int {
	tw.Worker.mu.Lock()
	defer tw.Worker.mu.Unlock()
	return len(tw.Worker.held)
}

func TestJobThatRanTwiceIsRecordedOnce(t *testing.T) {
	// The user "lost" may acknowledge nothing: its worker sends job1's
	// result and can never acknowledge the job, as a worker that loses its
	// machine between the two; everyone else connects as "all".
	url := runServer(t, func(o *server.Options) {
		everything := &server.SubjectPermission{Allow: []string{">"}}
		o.Users = []*server.User{
			{Username: "all", Password: "all"},
			{Username: "lost", Password: "lost", Permissions: &server.Permissions{
				Publish:   &server.SubjectPermission{Allow: []string{">"}, Deny: []string{"$JS.ACK.>"}},
				Subscribe: everything,
			}},
		}
		o.NoAuthUser = "all"
	}).ClientURL()
	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID:$WORKER" >> %s; if [ "$DROVER_JOB_ID" = job2 ]; then while [ ! -e %s ]; do sleep 0.01; done; fi`, log, gate)
	var src sliceSource = *shJobs(2, script)
	run := submit(t, url, SubmitConfig{}, &src)

	// Worker a sends job1's result and cannot acknowledge it: the job
	// goes to b.
	lost := strings.Replace(url, "nats://", "nats://lost:lost@", 1)
	a := startWorker(t, lost, "a", WorkerConfig{AckWait: time.Second, Jobs: 1, Prefetch: 1})
	waitFor(t, "job1 on a", func() bool { return slices.Contains(lines(log), "job1:a") })
	a.Drain()                                       // a takes no more jobs; job2 waits for b
	startWorker(t, url, "b", WorkerConfig{Jobs: 2}) // job2 waits for the gate: room for job1 beside it
	waitFor(t, "job1 run again on b", func() bool { return slices.Contains(lines(log), "job1:b") })

	// Both results of job1 are in the stream before job2's.
	nc := connect(t, url)
	js, _ := jetstream.New(nc)
	waitFor(t, "two results of job1", func() bool {
		st, err := js.Stream(context.Background(), ResultsStream)
		return err == nil && st.CachedInfo().State.Msgs == 2
	})
	os.WriteFile(gate, nil, 0o644)
	sum := run.finish(t)

	if sum.Jobs != 2 || sum.Succeeded != 2 {
		t.Errorf("summary %+v, want 2 jobs succeeded", sum.Counts)
	}
	if n := countRecords(run.records); n["job1"] != 1 || n["job2"] != 1 || len(run.records) != 2 {
		t.Errorf("records per id %v, want each once", n)
	}
}

func TestInterruptedRunWithNoWorkerEnds(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(5, "true"))
	accepted := 0
	run.await(t, "five jobs submitted", func(ev runner.Event) bool {
		if ev.Kind == runner.JobAccepted {
			accepted++
		}
		return accepted == 5
	})
	waitFor(t, "five jobs on the queue", func() bool { return queued(t, url) == 5 })
	run.Drain() // the first Ctrl-C: nothing more is submitted
	run.Stop()  // the second: the queued jobs are withdrawn
	sum := run.finish(t)

	if sum.Jobs != 5 || sum.NotStarted != 5 || sum.Finished() != 0 {
		t.Errorf("summary %+v, want 5 jobs not started", sum.Counts)
	}
	if n := queued(t, url); n != 0 {
		t.Errorf("%d jobs left on the queue", n)
	}
	if len(run.records) != 0 {
		t.Errorf("records %+v for jobs that never ran", run.records)
	}
}

// queued is the number of messages on the job queue.
func queued(t *testing.T, url string) uint64 {
	js, _ := jetstream.New(connect(t, url))
	st, err := js.Stream(context.Background(), JobsStream)
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State.Msgs
}

func TestStopCancelsRunningJobsOnWorkers(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(3, "sleep 600"))
	w := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1})
	run.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	run.Stop()
	sum := run.finish(t)

	if sum.Canceled != 1 || sum.NotStarted != 2 || sum.Jobs != 3 {
		t.Errorf("summary %+v, want 1 canceled, 2 not started", sum.Counts)
	}
	if len(run.records) != 1 || run.records[0].Status != runner.Canceled || run.records[0].Error == nil {
		t.Errorf("records %+v, want one canceled with its reason", run.records)
	}
	if w.Running() != 0 {
		t.Errorf("%d jobs still running on the worker", w.Running())
	}
}

func TestPoisonJobFailsAfterMaxDeliver(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(1, "true"))
	waitFor(t, "the job on the queue", func() bool { return queued(t, url) == 1 })

	// Two workers take the job and are lost with it (here: hand it back).
	nc := connect(t, url)
	js, _ := jetstream.New(nc)
	names, _ := NewNames("")
	cons, err := workerConsumer(context.Background(), js, names, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for msg := range batch.Messages() {
			msg.Nak()
		}
	}
	startWorker(t, url, "a", WorkerConfig{MaxDeliver: 2})
	sum := run.finish(t)

	if sum.Failed != 1 {
		t.Fatalf("summary %+v, want the job failed", sum.Counts)
	}
	if e := run.records[0].Error; e == nil || !strings.Contains(*e, "given up after 2 deliveries") {
		t.Errorf("error %v", e)
	}
}

func TestFinishedRunLeavesNothingOnTheServer(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(5, "echo hi"))
	startWorker(t, url, "a", WorkerConfig{Jobs: 2})
	if sum := run.finish(t); sum.Succeeded != 5 {
		t.Fatalf("summary %+v", sum.Counts)
	}
	if r := streamMsgs(t, url, ResultsStream); r != 0 {
		t.Errorf("%d results left on the server", r) // purged before Run returned
	}
	// The last acknowledgement may still be on its way: it follows the
	// result that ended the run.
	waitFor(t, "an empty queue", func() bool { return streamMsgs(t, url, JobsStream) == 0 })
}

func TestMaxFailuresCancelsTheRun(t *testing.T) {
	url := startServer(t)
	var src sliceSource = *shJobs(4, `if [ "$DROVER_JOB_ID" = job1 ]; then exit 7; fi; sleep 600`)
	run := submit(t, url, SubmitConfig{MaxFailures: 1}, &src)
	startWorker(t, url, "a", WorkerConfig{Jobs: 4})
	sum := run.finish(t)
	if !sum.StoppedByFailures || sum.Failed != 1 || sum.Canceled+sum.NotStarted != 3 {
		t.Errorf("summary %+v (stopped by failures: %v), want 1 failed and the rest canceled or not started", sum.Counts, sum.StoppedByFailures)
	}
}

// A job that runs for several ack deadlines keeps its message: the worker
// says it is still at work, and the idle worker beside it never gets it.
func TestLongJobKeepsItsMessageAlive(t *testing.T) {
	url := startServer(t)
	log := filepath.Join(t.TempDir(), "log")
	run := submit(t, url, SubmitConfig{}, shJobs(1, fmt.Sprintf(`echo "$WORKER" >> %s; sleep 4`, log)))
	startWorker(t, url, "a", WorkerConfig{AckWait: time.Second}) // creates the consumer: a 1s deadline
	waitFor(t, "the job started", func() bool { return len(lines(log)) == 1 })
	startWorker(t, url, "b", WorkerConfig{})
	sum := run.finish(t)
	if sum.Succeeded != 1 {
		t.Errorf("summary %+v", sum.Counts)
	}
	if got := lines(log); len(got) != 1 {
		t.Errorf("the job ran on %v; want once, on a", got)
	}
}

// Two runs at once on one server, with the same job ids, each get their
// own jobs' results: the run id keeps them apart.
func TestConcurrentRunsStayApart(t *testing.T) {
	url := startServer(t)
	one := submit(t, url, SubmitConfig{}, shJobs(5, `echo "one $DROVER_JOB_ID"`))
	two := submit(t, url, SubmitConfig{}, shJobs(5, `echo "two $DROVER_JOB_ID"`))
	if one.RunID() == two.RunID() {
		t.Fatalf("both runs have the id %s", one.RunID())
	}
	startWorker(t, url, "a", WorkerConfig{Jobs: 3})
	for name, run := range map[string]*testRun{"one": one, "two": two} {
		if sum := run.finish(t); sum.Succeeded != 5 || len(run.records) != 5 {
			t.Errorf("run %s: summary %+v, %d records", name, sum.Counts, len(run.records))
		}
		for id, out := range run.stdout {
			if out != name+" "+id+"\n" {
				t.Errorf("run %s: job %s printed %q", name, id, out)
			}
		}
	}
}

// A canceled run waits CancelWait for its started jobs' results; a job
// whose worker is cut off sends none, and is recorded as canceled, saying so.
func TestCancelWaitEndsAWaitForALostWorker(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{CancelWait: 500 * time.Millisecond}, shJobs(2, "sleep 600"))
	a := startWorker(t, url, "a", WorkerConfig{Jobs: 1, Prefetch: 1})
	run.await(t, "a job started", func(ev runner.Event) bool { return ev.Kind == runner.AttemptStarted })
	a.nc.Close() // the worker hears of no cancel and can send no result
	run.Stop()
	sum := run.finish(t)

	if sum.Canceled != 1 || sum.NotStarted != 1 {
		t.Errorf("summary %+v, want 1 canceled and 1 not started", sum.Counts)
	}
	want := "canceled by a signal; no result came from its worker within 500ms"
	if len(run.records) != 1 || run.records[0].Error == nil || *run.records[0].Error != want {
		t.Errorf("records %+v, want one with the error %q", run.records, want)
	}
}

func TestStopOnSuccessCancelsTheRun(t *testing.T) {
	url := startServer(t)
	var src sliceSource = *shJobs(4, `if [ "$DROVER_JOB_ID" = job1 ]; then exit 0; fi; sleep 600`)
	run := submit(t, url, SubmitConfig{StopOnSuccess: 1}, &src)
	startWorker(t, url, "a", WorkerConfig{Jobs: 4})
	sum := run.finish(t)
	if !sum.StoppedBySuccess || sum.Succeeded != 1 || sum.Failed != 0 || sum.Canceled+sum.NotStarted != 3 {
		t.Errorf("summary %+v (stopped by success: %v)", sum.Counts, sum.StoppedBySuccess)
	}
}

func TestDeadlineCancelsTheRun(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{Deadline: time.Now().Add(1500 * time.Millisecond)}, shJobs(3, `sleep 600`))
	startWorker(t, url, "a", WorkerConfig{Jobs: 4})
	sum := run.finish(t)
	if !sum.DeadlinePassed || sum.Canceled+sum.NotStarted != 3 {
		t.Errorf("summary %+v (deadline passed: %v)", sum.Counts, sum.DeadlinePassed)
	}

	// A deadline already past submits nothing.
	run = submit(t, url, SubmitConfig{Deadline: time.Now().Add(-time.Second)}, shJobs(3, `true`))
	if sum := run.finish(t); !sum.DeadlinePassed || sum.Finished() != 0 {
		t.Errorf("summary %+v (deadline passed: %v)", sum.Counts, sum.DeadlinePassed)
	}
}

// TestSubmitterHoldsDependentsBack: a job with needs is submitted only
// once its needs' results have come (the ledger the jobs write shows the
// order), a need that fails blocks its dependents, and a job that runs
// always runs; workers know nothing of needs.
func TestSubmitterHoldsDependentsBack(t *testing.T) {
	url := startServer(t)
	ledger := filepath.Join(t.TempDir(), "ledger")
	job := func(seq int, id, script string, when jobspec.When, needs ...string) *jobspec.Job {
		j := &jobspec.Job{ID: id, Seq: seq, Record: jobspec.Position{File: "test", Line: seq}, When: when,
			Argv: []string{fmt.Sprintf("echo %s >> %s; %s", id, ledger, script)}, Shell: true}
		for _, n := range needs {
			j.Needs = append(j.Needs, jobspec.Need{ID: n, Seq: map[string]int{"build": 1, "unit": 2, "lint": 4}[n]})
		}
		return j
	}
	src := sliceSource{
		job(1, "build", "true", ""),
		job(2, "unit", "exit 1", "", "build"),
		job(3, "deploy", "true", "", "unit"),
		job(4, "lint", "true", ""),
		job(5, "report", "true", jobspec.WhenAlways, "unit", "lint"),
	}
	run := submit(t, url, SubmitConfig{}, &src)
	startWorker(t, url, "a", WorkerConfig{Jobs: 4, Prefetch: 4})
	sum := run.finish(t)
	if sum.Succeeded != 3 || sum.Failed != 1 || sum.DepFailed != 1 || sum.NotStarted != 0 {
		t.Errorf("summary %+v", sum.Counts)
	}
	got := lines(ledger)
	at := map[string]int{}
	for i, id := range got {
		at[id] = i + 1
	}
	if at["deploy"] != 0 || at["unit"] < at["build"] || at["report"] < at["unit"] || at["report"] < at["lint"] || len(got) != 4 {
		t.Errorf("ledger %v", got)
	}
	for _, rec := range run.records {
		if rec.ID == "deploy" && (rec.Status != runner.DepFailed || rec.BlockedBy != "unit" || rec.Attempts != 0) {
			t.Errorf("deploy: %+v", rec)
		}
	}
}
