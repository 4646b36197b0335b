package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/drover/drover/jobspec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// jobs is a Source over a fixed list.
type jobs struct {
	list []*jobspec.Job
	next atomic.Int64
	err  error // returned after the list
}

func (s *jobs) Next() (*jobspec.Job, error) {
	i := int(s.next.Add(1)) - 1
	if i < len(s.list) {
		return s.list[i], nil
	}
	if s.err != nil {
		return nil, s.err
	}
	return nil, io.EOF
}

func shellJob(id, cmd string) *jobspec.Job {
	return &jobspec.Job{ID: id, Argv: []string{cmd}, Shell: true, Record: jobspec.Position{File: "t", Line: 1}}
}

func baseConfig() Config {
	return Config{
		Jobs: 4, Queue: 8, KillGrace: 2 * time.Second,
		RetryDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond, RetryBudget: -1,
		Shell: "/bin/sh", Environ: os.Environ(),
	}
}

// run runs the jobs and returns the results by id.
func run(t *testing.T, cfg Config, list ...*jobspec.Job) (map[string]*Result, Summary, error) {
	t.Helper()
	var mu sync.Mutex
	results := map[string]*Result{}
	cfg.Record = func(res *Result) error {
		mu.Lock()
		defer mu.Unlock()
		results[res.Job.ID] = res
		return nil
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := r.Run(context.Background(), &jobs{list: list})
	return results, sum, err
}

func TestStatuses(t *testing.T) {
	tests := []struct {
		name    string
		job     *jobspec.Job
		timeout time.Duration
		status  Status
		code    int // -1: none
		signal  string
		errText string
	}{
		{"success", shellJob("a", "true"), 0, Succeeded, 0, "", ""},
		{"exit code", shellJob("a", "exit 3"), 0, Failed, 3, "", ""},
		{"killed", shellJob("a", "kill -KILL $$"), 0, Failed, -1, "SIGKILL", ""},
		{"timeout", shellJob("a", "sleep 30"), 50 * time.Millisecond, TimedOut, -1, "SIGTERM", "timed out after 50ms"},
		{"timeout trapped exit 0", shellJob("a", "trap 'exit 0' TERM; sleep 30 & wait"), 50 * time.Millisecond, TimedOut, 0, "", "timed out"},
		{"not found", &jobspec.Job{ID: "a", Argv: []string{"drover-no-such-program"}}, 0, Failed, -1, "", "executable file not found"},
		{"bad dir", &jobspec.Job{ID: "a", Argv: []string{"true"}, Dir: "/no/such/dir"}, 0, Failed, -1, "", "cannot start: dir /no/such/dir: no such file or directory"},
		{"argv without shell", &jobspec.Job{ID: "a", Argv: []string{"sh", "-c", "exit 4"}}, 0, Failed, 4, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Timeout = tt.timeout
			results, sum, err := run(t, cfg, tt.job)
			if err != nil {
				t.Fatal(err)
			}
			res := results["a"]
			if res == nil || res.Status != tt.status {
				t.Fatalf("result %+v, want status %s", res, tt.status)
			}
			if (tt.code < 0) != (res.ExitCode == nil) || (res.ExitCode != nil && *res.ExitCode != tt.code) {
				t.Errorf("exit code %v, want %d", res.ExitCode, tt.code)
			}
			if res.Signal != tt.signal {
				t.Errorf("signal %q, want %q", res.Signal, tt.signal)
			}
			if tt.errText != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.errText)) {
				t.Errorf("error %v, want %q", res.Err, tt.errText)
			}
			if sum.Jobs != 1 || sum.Finished() != 1 {
				t.Errorf("counts %+v", sum.Counts)
			}
		})
	}
}

func TestEnvDirStdin(t *testing.T) {
	dir := t.TempDir()
	in := "line one\nline two\n"
	job := &jobspec.Job{
		ID: "envjob", Argv: []string{`printf '%s|%s|%s|%s|' "$DROVER_JOB_ID" "$DROVER_ATTEMPT" "$A" "$PWD" >out; cat >>out`}, Shell: true,
		Env: []jobspec.EnvVar{{Key: "A", Value: "from job"}}, Dir: dir, Stdin: &in,
	}
	cfg := baseConfig()
	cfg.Environ = append(os.Environ(), "A=from drover")
	results, _, err := run(t, cfg, job)
	if err != nil || results["envjob"].Status != Succeeded {
		t.Fatal(err, results["envjob"])
	}
	got, _ := os.ReadFile(filepath.Join(dir, "out"))
	if want := "envjob|1|from job|" + dir + "|" + in; string(got) != want {
		t.Errorf("job saw %q, want %q", got, want)
	}
}

func TestStdinIsEmptyWithoutStdinField(t *testing.T) {
	// cat would wait forever on an inherited terminal or pipe.
	results, _, _ := run(t, baseConfig(), shellJob("a", `test "$(cat)" = ""`))
	if results["a"].Status != Succeeded {
		t.Fatalf("%+v", results["a"])
	}
}

func TestRetries(t *testing.T) {
	dir := t.TempDir()
	// Fails until it has run n times, counting runs in a file.
	flaky := func(id string, n int) *jobspec.Job {
		f := filepath.Join(dir, id)
		return shellJob(id, fmt.Sprintf(`echo x >>%s; test $(wc -l <%s) -ge %d || exit 7`, f, f, n))
	}
	three, two := 3, 2
	tests := []struct {
		name     string
		job      *jobspec.Job
		retries  int
		budget   int
		status   Status
		attempts int
	}{
		{"succeeds on third", flaky("a", 3), 2, -1, Succeeded, 3},
		{"runs out", flaky("b", 5), 2, -1, Failed, 3},
		{"job overrides", func() *jobspec.Job { j := flaky("c", 3); j.Retries = &three; return j }(), 0, -1, Succeeded, 3},
		{"retry_on other code", func() *jobspec.Job { j := flaky("d", 3); j.RetryOn = &jobspec.RetryOn{ExitCodes: []int{1}}; return j }(), 5, -1, Failed, 1},
		{"retry_on matching code", func() *jobspec.Job { j := flaky("e", 2); j.RetryOn = &jobspec.RetryOn{ExitCodes: []int{7}}; return j }(), 5, -1, Succeeded, 2},
		{"budget", func() *jobspec.Job { j := flaky("f", 4); j.Retries = &two; return j }(), 0, 1, Failed, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Retries, cfg.RetryBudget = tt.retries, tt.budget
			results, sum, _ := run(t, cfg, tt.job)
			res := results[tt.job.ID]
			if res.Status != tt.status || res.Attempts != tt.attempts {
				t.Fatalf("status %s after %d attempts, want %s after %d", res.Status, res.Attempts, tt.status, tt.attempts)
			}
			if sum.Retries != tt.attempts-1 {
				t.Errorf("retries spent %d, want %d", sum.Retries, tt.attempts-1)
			}
			if tt.budget >= 0 && sum.RetriesDenied != 1 {
				t.Errorf("denied %d, want 1", sum.RetriesDenied)
			}
		})
	}
}

func TestRetryOnTimeout(t *testing.T) {
	job := shellJob("a", `test "$DROVER_ATTEMPT" -ge 2 || sleep 30`)
	job.RetryOn = &jobspec.RetryOn{Timeout: true}
	cfg := baseConfig()
	cfg.Timeout, cfg.Retries = 100*time.Millisecond, 1
	results, _, _ := run(t, cfg, job)
	if res := results["a"]; res.Status != Succeeded || res.Attempts != 2 {
		t.Fatalf("%+v", res)
	}
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	r := &Runner{cfg: Config{RetryDelay: 100 * time.Millisecond, RetryMaxDelay: time.Second}}
	for attempt := 1; attempt <= 10; attempt++ {
		ceiling := min(100*time.Millisecond<<(attempt-1), time.Second)
		for range 50 {
			if d := r.backoff(attempt); d < 0 || d > ceiling {
				t.Fatalf("attempt %d: delay %s outside [0, %s]", attempt, d, ceiling)
			}
		}
	}
}

// fakeExecutor runs attempts with a function instead of a process.
type fakeExecutor func(ctx context.Context, a Attempt) Outcome

func (f fakeExecutor) Execute(ctx context.Context, a Attempt) Outcome { return f(ctx, a) }

func code(c int) *int { return &c }

// blockingExecutor holds every attempt until its context ends or release
// closes, and tells started about each attempt.
func blockingExecutor(started chan<- string, release <-chan struct{}) fakeExecutor {
	return func(ctx context.Context, a Attempt) Outcome {
		started <- a.Job.ID
		select {
		case <-release:
			return Outcome{ExitCode: code(0)}
		case <-ctx.Done():
			return Outcome{Stopped: true, Signal: "SIGTERM"}
		}
	}
}

func manyJobs(n int) []*jobspec.Job {
	list := make([]*jobspec.Job, n)
	for i := range list {
		list[i] = &jobspec.Job{ID: strconv.Itoa(i + 1), Argv: []string{"x"}}
	}
	return list
}

func TestBackpressure(t *testing.T) {
	started := make(chan string)
	release := make(chan struct{})
	cfg := baseConfig()
	cfg.Jobs, cfg.Queue = 2, 3
	cfg.Executor = blockingExecutor(started, release)
	src := &jobs{list: manyJobs(100)}
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), src); done <- sum }()
	<-started
	<-started
	// Both workers hold a job; intake fills the queue, reads one more job
	// and blocks sending it. Give it every chance to read further.
	for range 100 {
		time.Sleep(time.Millisecond) // not synchronisation: room for a bug to show
		if n := src.next.Load(); n > int64(cfg.Jobs+cfg.Queue+1) {
			t.Fatalf("intake read %d jobs with %d workers and a queue of %d", n, cfg.Jobs, cfg.Queue)
		}
	}
	close(release)
	for range 98 {
		<-started
	}
	sum := <-done
	if sum.Succeeded != 100 {
		t.Fatalf("%+v", sum.Counts)
	}
}

func TestDrainLetsRunningJobsFinish(t *testing.T) {
	started := make(chan string)
	release := make(chan struct{})
	cfg := baseConfig()
	cfg.Jobs, cfg.Queue = 2, 4
	cfg.Executor = blockingExecutor(started, release)
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: manyJobs(10)}); done <- sum }()
	<-started
	<-started
	r.Drain()
	close(release)
	sum := <-done
	if sum.Succeeded != 2 || sum.NotStarted != sum.Jobs-2 || sum.Canceled != 0 {
		t.Fatalf("%+v", sum.Counts)
	}
}

func TestStopCancelsRunningJobs(t *testing.T) {
	started := make(chan string)
	cfg := baseConfig()
	cfg.Jobs = 3
	cfg.Executor = blockingExecutor(started, nil)
	r, _ := New(cfg)
	done := make(chan Summary)
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: manyJobs(10)}); done <- sum }()
	for range 3 {
		<-started
	}
	r.Stop()
	sum := <-done
	if sum.Canceled != 3 || sum.NotStarted != sum.Jobs-3 {
		t.Fatalf("%+v", sum.Counts)
	}
}

func TestMaxFailures(t *testing.T) {
	started := make(chan string, 100)
	cfg := baseConfig()
	cfg.Jobs, cfg.MaxFailures = 2, 1
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		started <- a.Job.ID
		if a.Job.ID == "1" {
			return Outcome{ExitCode: code(1)}
		}
		<-ctx.Done()
		return Outcome{Stopped: true}
	})
	results, sum, _ := run(t, cfg, manyJobs(20)...)
	if !sum.StoppedByFailures || sum.Failed != 1 || results["1"].Status != Failed {
		t.Fatalf("%+v", sum)
	}
	for id, res := range results {
		if id != "1" && res.Status != Canceled {
			t.Errorf("job %s: %s, want canceled", id, res.Status)
		}
	}
	if sum.Finished()+sum.NotStarted != sum.Jobs || sum.Jobs > cfg.Jobs+cfg.Queue+2 {
		t.Errorf("counts do not add up: %+v", sum.Counts)
	}
}

func TestPanicBecomesTheJobsFailure(t *testing.T) {
	cfg := baseConfig()
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		if a.Job.ID == "2" {
			panic("boom")
		}
		return Outcome{ExitCode: code(0)}
	})
	results, sum, _ := run(t, cfg, manyJobs(3)...)
	if sum.Succeeded != 2 || results["2"].Status != Failed || !strings.Contains(results["2"].Err.Error(), "boom") {
		t.Fatalf("%+v %+v", sum.Counts, results["2"])
	}
}

func TestInputErrorDrains(t *testing.T) {
	cfg := baseConfig()
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome { return Outcome{ExitCode: code(0)} })
	bad := errors.New("bad record")
	r, _ := New(cfg)
	sum, err := r.Run(context.Background(), &jobs{list: manyJobs(2), err: bad})
	if !errors.Is(err, bad) || sum.Jobs != 2 {
		t.Fatalf("err %v, counts %+v", err, sum.Counts)
	}
}

func TestRecordErrorStopsTheRun(t *testing.T) {
	started := make(chan string, 100)
	cfg := baseConfig()
	cfg.Jobs = 2
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		started <- a.Job.ID
		if a.Job.ID == "1" {
			return Outcome{ExitCode: code(0)}
		}
		<-ctx.Done()
		return Outcome{Stopped: true}
	})
	cfg.Record = func(*Result) error { return errors.New("disk full") }
	r, _ := New(cfg)
	sum, err := r.Run(context.Background(), &jobs{list: manyJobs(10)})
	if err == nil || !strings.Contains(err.Error(), "disk full") || sum.Canceled == 0 {
		t.Fatalf("err %v, %+v", err, sum.Counts)
	}
}

func TestSkip(t *testing.T) {
	cfg := baseConfig()
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome { return Outcome{ExitCode: code(0)} })
	cfg.Skip = func(j *jobspec.Job) bool { return j.ID == "2" }
	results, sum, _ := run(t, cfg, manyJobs(3)...)
	if sum.Skipped != 1 || sum.Succeeded != 2 || results["2"].Status != Skipped {
		t.Fatalf("%+v", sum.Counts)
	}
}

// alive reports whether pid is a live process (zombies do not count).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] != 'Z'
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestNoProcessOfTheGroupIsLeft(t *testing.T) {
	for _, tt := range []struct {
		name, cmd string
		timeout   time.Duration
	}{
		{"timed out", `sleep 60 & echo $! >pid; wait`, 100 * time.Millisecond},
		{"grandchild ignores TERM", `sh -c 'trap "" TERM; echo $$ >pid; sleep 60' & wait`, 100 * time.Millisecond},
		{"leader exits first", `sleep 60 & echo $! >pid`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			job := shellJob("a", tt.cmd)
			job.Dir = dir
			cfg := baseConfig()
			cfg.Timeout, cfg.KillGrace = tt.timeout, 200*time.Millisecond
			run(t, cfg, job)
			pid := readPID(t, filepath.Join(dir, "pid"))
			if alive(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Fatalf("process %d of the job is still alive", pid)
			}
		})
	}
}

func TestEscapedProcessHoldingPipesDoesNotHang(t *testing.T) {
	dir := t.TempDir()
	// The grandchild leaves the group in a session of its own and keeps
	// stdout and stderr open.
	job := shellJob("a", `setsid sh -c 'echo $$ >pid.tmp; mv pid.tmp pid; exec sleep 60' &
		until [ -e pid ]; do sleep 0.01; done; echo started`)
	job.Dir = dir
	cfg := baseConfig()
	cfg.KillGrace = 100 * time.Millisecond
	var out strings.Builder
	cfg.Sink = sinkFunc(func() JobOutput { return &bufOutput{stdout: &out} })
	done := make(chan map[string]*Result)
	go func() { results, _, _ := run(t, cfg, job); done <- results }()
	var results map[string]*Result
	select {
	case results = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("drover waited on pipes held by an escaped process")
	}
	t.Cleanup(func() {
		if pid := readPID(t, filepath.Join(dir, "pid")); alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if results["a"].Status != Succeeded || out.String() != "started\n" {
		t.Fatalf("%+v, output %q", results["a"], out.String())
	}
}

type sinkFunc func() JobOutput

func (f sinkFunc) Open(*jobspec.Job) (JobOutput, error) { return f(), nil }

type bufOutput struct{ stdout, stderr io.Writer }

func (b *bufOutput) Stdout() io.Writer { return b.stdout }
func (b *bufOutput) Stderr() io.Writer {
	if b.stderr == nil {
		return io.Discard
	}
	return b.stderr
}
func (b *bufOutput) Close() error { return nil }

func TestEventsAndOutput(t *testing.T) {
	events := make(chan Event)
	cfg := baseConfig()
	cfg.Events = events
	dir := &SpoolDir{}
	defer dir.Remove()
	cfg.Sink = sinkFunc(func() JobOutput {
		return &spoolOutput{out: Spool{Dir: dir, Limit: 16}, err: Spool{Dir: dir, Limit: 16}}
	})
	r, _ := New(cfg)
	go r.Run(context.Background(), &jobs{list: []*jobspec.Job{
		shellJob("a", "echo hello; echo oops >&2; exit 1"),
		shellJob("b", "seq 1 1000"),
	}})
	kinds := map[EventKind]int{}
	outputs := map[string]string{}
	for ev := range events {
		kinds[ev.Kind]++
		if ev.Kind == JobFinished {
			var b strings.Builder
			ev.Result.Output.(*spoolOutput).out.WriteTo(&b)
			outputs[ev.Job.ID] = b.String()
			if ev.Job.ID == "a" && string(ev.Result.StderrTail) != "oops\n" {
				t.Errorf("stderr tail %q", ev.Result.StderrTail)
			}
			ev.Result.Output.Close()
		}
	}
	if kinds[JobAccepted] != 2 || kinds[AttemptStarted] != 2 || kinds[JobFinished] != 2 {
		t.Errorf("events %v", kinds)
	}
	var want strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintln(&want, i)
	}
	if outputs["a"] != "hello\n" || outputs["b"] != want.String() {
		t.Errorf("outputs %q", outputs["a"])
	}
}

type spoolOutput struct{ out, err Spool }

func (s *spoolOutput) Stdout() io.Writer { return &s.out }
func (s *spoolOutput) Stderr() io.Writer { return &s.err }
func (s *spoolOutput) Close() error      { s.out.Close(); return s.err.Close() }

func TestLookPathRemembersAndForgets(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	write := func(dir string) string {
		p := filepath.Join(dir, "prog")
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	path := first + ":" + second
	e := &ProcessExecutor{}
	want := write(first)
	if got, err := e.lookPath("prog", path, ""); err != nil || got != want {
		t.Fatalf("%q %v, want %q", got, err, want)
	}
	os.Remove(want)
	want = write(second)
	if got, err := e.lookPath("prog", path, ""); err != nil || got != want {
		t.Fatalf("after the program moved: %q %v, want %q", got, err, want)
	}
	if _, err := e.lookPath("no-such-prog", path, ""); err == nil {
		t.Fatal("found a program that is not there")
	}
}

func TestNoJobStartsAfterARecordFails(t *testing.T) {
	for range 50 { // the worker used to race the collector for the next job
		var started atomic.Int64
		cfg := baseConfig()
		cfg.Jobs = 1
		cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
			started.Add(1)
			return Outcome{ExitCode: code(0)}
		})
		cfg.Record = func(*Result) error { return errors.New("disk full") }
		r, _ := New(cfg)
		sum, err := r.Run(context.Background(), &jobs{list: manyJobs(5)})
		if err == nil || started.Load() != 1 || sum.Succeeded != 1 {
			t.Fatalf("started %d jobs after the first record failed; err %v, %+v", started.Load(), err, sum.Counts)
		}
	}
}
