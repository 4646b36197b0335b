//go:build linux && !drover_posix

package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An escaped process that ends while other jobs run is reaped by
// ReapExited, not left a zombie until the end; a running job's main
// process is left to its own Wait.
func TestReapExitedCollectsEscapedProcesses(t *testing.T) {
	if err := BecomeSubreaper(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e := &ProcessExecutor{KillGrace: time.Second, Environ: os.Environ()}
	// It leaves the group, writes its pid, and exits once "go" exists.
	escape := shellJob("escape", `setsid sh -c 'echo $$ >pid.tmp; mv pid.tmp pid; while [ ! -e go ]; do sleep 0.01; done' </dev/null >/dev/null 2>&1 &
		until [ -e pid ]; do sleep 0.01; done`)
	escape.Dir = dir
	if out := e.Execute(context.Background(), Attempt{Job: escape, Number: 1, Stdout: io.Discard, Stderr: io.Discard}); out.ExitCode == nil || *out.ExitCode != 0 {
		t.Fatalf("escape job: %+v", out)
	}
	pid := readPID(t, filepath.Join(dir, "pid"))

	// A job that runs meanwhile, and exits as the escaped process does.
	running := shellJob("running", `while [ ! -e go ]; do sleep 0.01; done`)
	running.Dir = dir
	done := make(chan Outcome, 1)
	go func() {
		done <- e.Execute(context.Background(), Attempt{Job: running, Number: 1, Stdout: io.Discard, Stderr: io.Discard})
	}()
	os.WriteFile(filepath.Join(dir, "go"), nil, 0o644)
	deadline := time.Now().Add(30 * time.Second)
	for state(pid) != 'Z' {
		if time.Now().After(deadline) {
			t.Fatalf("process %d did not exit (state %q)", pid, state(pid))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.ReapExited(); n < 1 {
		t.Errorf("ReapExited reaped %d processes, want the escaped one", n)
	}
	if state(pid) != 0 {
		t.Errorf("process %d is still there (state %q)", pid, state(pid))
	}
	if out := <-done; out.ExitCode == nil || *out.ExitCode != 0 || out.Err != nil {
		t.Errorf("the running job's own wait was disturbed: %+v", out)
	}
}
