package runner

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

// graph builds jobs from "id:needs,...:when" specs, Seq in order; a need
// is an id of an earlier spec.
func graph(specs ...string) []*jobspec.Job {
	seqs := map[string]int{}
	var list []*jobspec.Job
	for i, s := range specs {
		parts := append(splitColon(s), "", "")
		job := &jobspec.Job{ID: parts[0], Seq: i + 1, Argv: []string{"x"}, When: jobspec.When(parts[2])}
		if parts[1] != "" {
			for _, id := range splitComma(parts[1]) {
				job.Needs = append(job.Needs, jobspec.Need{ID: id, Seq: seqs[id]})
			}
		}
		seqs[job.ID] = job.Seq
		list = append(list, job)
	}
	return list
}

func splitColon(s string) []string { return splitOn(s, ':') }
func splitComma(s string) []string { return splitOn(s, ',') }

func splitOn(s string, sep byte) []string {
	var out []string
	for {
		i := 0
		for i < len(s) && s[i] != sep {
			i++
		}
		out = append(out, s[:i])
		if i == len(s) {
			return out
		}
		s = s[i+1:]
	}
}

// ledger is an executor that writes each job's id as it starts and fails
// the jobs named in fail.
type ledger struct {
	mu    sync.Mutex
	order []string
	fail  map[string]bool
}

func (l *ledger) executor() fakeExecutor {
	return func(ctx context.Context, a Attempt) Outcome {
		l.mu.Lock()
		l.order = append(l.order, a.Job.ID)
		l.mu.Unlock()
		if l.fail[a.Job.ID] {
			return Outcome{ExitCode: code(1)}
		}
		return Outcome{ExitCode: code(0)}
	}
}

func TestNeedsDecideEachStatus(t *testing.T) {
	l := &ledger{fail: map[string]bool{"build": true}}
	cfg := baseConfig()
	cfg.Jobs = 1
	cfg.Executor = l.executor()
	res, sum, err := run(t, cfg, graph(
		"build", "lint", "test:build", "deploy:test", "docs:lint",
		"cleanup:build,lint:always", "notify:build:failure", "rollback:lint:failure", "after:rollback",
	)...)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Status{"build": Failed, "lint": Succeeded, "test": DepFailed, "deploy": DepFailed, "docs": Succeeded,
		"cleanup": Succeeded, "notify": Succeeded, "rollback": NotNeeded, "after": NotNeeded}
	for id, s := range want {
		if res[id] == nil || res[id].Status != s {
			t.Errorf("%s: %+v, want %s", id, res[id], s)
		}
	}
	for _, id := range []string{"test", "deploy"} {
		if r := res[id]; r.BlockedBy != "build" || r.Attempts != 0 {
			t.Errorf("%s: blocked by %q after %d attempts", id, r.BlockedBy, r.Attempts)
		}
	}
	if got := res["deploy"].Err.Error(); got != "needs test, which did not run because build failed" {
		t.Errorf("deploy: %q", got)
	}
	if got := res["test"].Err.Error(); got != "needs build, which failed" {
		t.Errorf("test: %q", got)
	}
	if sum.DepFailed != 2 || sum.NotNeeded != 2 || sum.Failed != 1 || sum.NotStarted != 0 {
		t.Errorf("%+v", sum.Counts)
	}
	if want := []string{"build", "lint", "docs", "cleanup", "notify"}; !slices.Equal(l.order, want) {
		t.Errorf("ran %v, want %v", l.order, want)
	}
}

// TestNeedsReleaseInInputOrder: with one slot, jobs released by a need
// start in input order among the jobs queued behind them.
func TestNeedsReleaseInInputOrder(t *testing.T) {
	l := &ledger{}
	cfg := baseConfig()
	cfg.Jobs = 1
	cfg.Executor = l.executor()
	_, _, err := run(t, cfg, graph("a", "b1:a", "c", "b2:a", "d:c", "e")...)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b1", "c", "b2", "d", "e"}; !slices.Equal(l.order, want) {
		t.Errorf("ran %v, want %v", l.order, want)
	}
}

// TestNeedsWaitingHoldsNoSlot: a job behind a waiting one runs while the
// need it waits for still runs; "a" ends only once "c" has run.
func TestNeedsWaitingHoldsNoSlot(t *testing.T) {
	cRan := make(chan struct{})
	cfg := baseConfig()
	cfg.Jobs, cfg.Queue = 2, 1
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		switch a.Job.ID {
		case "a":
			select {
			case <-cRan:
			case <-time.After(time.Minute): // a guard against a hang, not a timing
				return Outcome{ExitCode: code(9)}
			}
		case "c":
			close(cRan)
		}
		return Outcome{ExitCode: code(0)}
	})
	res, _, err := run(t, cfg, graph("a", "b1:a", "b2:a", "b3:a", "c")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b1", "b2", "b3", "c"} {
		if res[id].Status != Succeeded {
			t.Errorf("%s: %s", id, res[id].Status)
		}
	}
}

// TestNeedsStopLeavesWaitingJobsNotStarted: a stop rule reached by the
// need leaves its dependents not started, not dep_failed, and dep_failed
// never counts toward --max-failures.
func TestNeedsStopLeavesWaitingJobsNotStarted(t *testing.T) {
	l := &ledger{fail: map[string]bool{"a": true, "x": true}}
	cfg := baseConfig()
	cfg.Jobs, cfg.MaxFailures = 1, 1
	cfg.Executor = l.executor()
	_, sum, _ := run(t, cfg, graph("a", "b:a", "c")...)
	if sum.Failed != 1 || sum.DepFailed != 0 || sum.NotStarted != 2 {
		t.Errorf("%+v", sum.Counts)
	}
	cfg.MaxFailures = 2
	_, sum, _ = run(t, cfg, graph("x", "b:x", "c:b", "d")...)
	if sum.Failed != 1 || sum.DepFailed != 2 || sum.Succeeded != 1 || sum.StoppedByFailures {
		t.Errorf("%+v stopped %v", sum.Counts, sum.StoppedByFailures)
	}
}

// TestNeedsIntakePausesPastMaxWaiting: intake waits for room once the
// limit of waiting jobs is reached, and goes on as one is released.
func TestNeedsIntakePausesPastMaxWaiting(t *testing.T) {
	d := NewDependencies()
	d.max = 2
	list := graph("a", "b:a", "c:a")
	for _, job := range list[1:] {
		if ready, res := d.Admit(job); ready || res != nil {
			t.Fatalf("%s: ready %v, %v", job.ID, ready, res)
		}
	}
	gotRoom := make(chan bool)
	go func() { gotRoom <- d.WaitRoom(nil) }()
	select {
	case <-gotRoom:
		t.Fatal("room with 2 of 2 waiting")
	case <-time.After(10 * time.Millisecond): // room for a bug to show
	}
	d.Settle(&Result{Job: list[0], Status: Succeeded}, false)
	if !<-gotRoom {
		t.Fatal("no room")
	}
	if d.ready.top() != list[1] || len(d.ready) != 2 {
		t.Fatalf("ready %v", d.ready)
	}
}

// TestWaitingJobBytes measures what a waiting job costs beyond the Job
// itself, for the README's figure.
func TestWaitingJobBytes(t *testing.T) {
	const n = 20000
	d := NewDependencies()
	d.max = n + 1
	roots := make([]*jobspec.Job, 100)
	for i := range roots {
		roots[i] = &jobspec.Job{ID: strconv.Itoa(i + 1), Seq: i + 1}
	}
	list := make([]*jobspec.Job, n)
	for i := range list {
		list[i] = &jobspec.Job{ID: strconv.Itoa(101 + i), Seq: 101 + i, Needs: []jobspec.Need{{ID: roots[i%100].ID, Seq: i%100 + 1}}}
	}
	before := heapInUse()
	for _, job := range list {
		d.Admit(job)
	}
	per := float64(heapInUse()-before) / n
	runtime.KeepAlive(d)
	t.Logf("%.0f bytes a waiting job, beyond its Job", per)
	if per > 200 {
		t.Errorf("%.0f bytes a waiting job", per)
	}
}

func heapInUse() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestNeedsPauseHoldsReleasedJobs: a job released while the run is paused
// waits, as a queued job does, until the run resumes.
func TestNeedsPauseHoldsReleasedJobs(t *testing.T) {
	started := make(chan string, 4)
	release := make(chan struct{})
	cfg := baseConfig()
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		started <- a.Job.ID
		if a.Job.ID == "a" {
			<-release
		}
		return Outcome{ExitCode: code(0)}
	})
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() {
		sum, _ := r.Run(context.Background(), &jobs{list: graph("a", "b:a")})
		done <- sum
	}()
	if id := <-started; id != "a" {
		t.Fatalf("%s started first", id)
	}
	r.Pause()
	close(release)
	for r.deps.Waiting() > 0 { // a's result releases b
		time.Sleep(time.Millisecond)
	}
	select {
	case id := <-started:
		t.Fatalf("%s started while the run was paused", id)
	case <-time.After(20 * time.Millisecond): // room for a bug to show
	}
	r.Resume()
	if id := <-started; id != "b" {
		t.Fatalf("%s started", id)
	}
	if sum := <-done; sum.Succeeded != 2 {
		t.Fatalf("%+v", sum.Counts)
	}
}
