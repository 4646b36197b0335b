package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

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
		// The timeout leaves the grandchild time to set its trap and write
		// its pid on a loaded machine; the leader waits for the pid file
		// either way, so the kill always finds a grandchild ignoring TERM.
		{"grandchild ignores TERM", `sh -c 'trap "" TERM; echo $$ >pid.tmp; mv pid.tmp pid; sleep 60' & until [ -e pid ]; do sleep 0.01; done; wait`, 2 * time.Second},
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

func TestLookPathRemembersAndForgets(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	write := func(dir, says string) string {
		p := filepath.Join(dir, "prog")
		if err := os.WriteFile(p, []byte("#!/bin/sh\necho "+says+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e := &ProcessExecutor{KillGrace: time.Second, Environ: []string{"PATH=" + first + ":" + second}}
	runProg := func() (string, Outcome) {
		var out strings.Builder
		o := e.Execute(context.Background(), Attempt{Job: &jobspec.Job{ID: "p", Argv: []string{"prog"}}, Number: 1, Stdout: &out, Stderr: io.Discard})
		return out.String(), o
	}
	old := write(first, "first")
	if out, o := runProg(); out != "first\n" || o.Err != nil {
		t.Fatalf("%q %+v, want first", out, o)
	}
	if _, ok := e.found.Load(e.base.path + "\x00prog"); !ok {
		t.Fatal("the program found is not remembered")
	}
	os.Remove(old)
	write(second, "second")
	if out, o := runProg(); out != "second\n" || o.Err != nil {
		t.Fatalf("after the program moved: %q %+v, want second", out, o)
	}
	os.Remove(filepath.Join(second, "prog"))
	if _, o := runProg(); o.Err == nil || !strings.Contains(o.Err.Error(), "executable file not found") {
		t.Fatalf("after the program went: %+v, want not found", o)
	}
}

// With no kill grace, a job's output is still read to its end: the pipes
// are closed early only when something outside the group holds them.
func TestNoKillGraceKeepsOutput(t *testing.T) {
	e := &ProcessExecutor{Environ: os.Environ()}
	job := &jobspec.Job{ID: "o", Argv: []string{"echo", "out"}}
	for i := range 50 {
		var out strings.Builder
		if o := e.Execute(context.Background(), Attempt{Job: job, Number: 1, Stdout: &out, Stderr: io.Discard}); o.Err != nil || out.String() != "out\n" {
			t.Fatalf("run %d: output %q, %+v", i, out.String(), o)
		}
	}
}
