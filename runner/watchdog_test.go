package runner

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

// What drover tells the watchdog is counted per group; lines that are not
// drover's touch nothing.
func TestWatchdogReadsGroups(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[int]int
	}{
		{"", map[int]int{}},
		{"+5\n+6\n-5\n", map[int]int{6: 1}},
		{"+7\n+7\n-7\n", map[int]int{7: 1}},     // a reused pid: its new group's Watch came first
		{"+8\n-8\n+8\n", map[int]int{8: 1}},     // ... or its old group's Forget came first
		{"+9\n-9\n-9\n+9\n", map[int]int{9: 1}}, // a group never goes below none
		{"\n+\nx12\n+1\n+0\n+-3\n12\n+13", map[int]int{13: 1}},
	} {
		got, err := readGroups(strings.NewReader(tc.in))
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("readGroups(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// startGroup starts a shell script as the leader of a process group of its
// own, killed when the test ends, and returns once the script has written
// its first line.
func startGroup(t *testing.T, script string) *exec.Cmd {
	t.Helper()
	c := exec.Command("/bin/sh", "-c", script)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		c.Wait()
	})
	return c
}

// When drover's pipe ends, the groups the watchdog knows get SIGTERM, and
// SIGKILL after the grace when they ignore it; a forgotten group is left
// alone.
func TestServeWatchdogStopsTheGroupsItKnows(t *testing.T) {
	polite := startGroup(t, "echo; exec sleep 60")
	stubborn := startGroup(t, "trap '' TERM; echo; while :; do sleep 0.05; done")
	forgotten := startGroup(t, "echo; exec sleep 60")
	said := fmt.Sprintf("+%d\n+%d\n+%d\n-%d\n", polite.Process.Pid, stubborn.Process.Pid, forgotten.Process.Pid, forgotten.Process.Pid)
	if err := ServeWatchdog(strings.NewReader(said), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    *exec.Cmd
		want syscall.Signal
	}{{polite, syscall.SIGTERM}, {stubborn, syscall.SIGKILL}} {
		tc.c.Wait()
		ws := tc.c.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != tc.want {
			t.Errorf("%v: %v, want killed by %v", tc.c.Args, tc.c.ProcessState, tc.want)
		}
	}
	var ws syscall.WaitStatus
	if pid, err := syscall.Wait4(forgotten.Process.Pid, &ws, syscall.WNOHANG, nil); pid != 0 || err != nil {
		t.Errorf("the forgotten group was stopped: wait4 = %d, %v (%v)", pid, err, ws)
	}
}

// TestWatchdogProcess is not a test: run by startTestWatchdog with
// DROVER_TEST_WATCHDOG set, it is the watchdog, as `drover __watchdog` is.
func TestWatchdogProcess(t *testing.T) {
	if os.Getenv("DROVER_TEST_WATCHDOG") == "" {
		t.Skip("the watchdog of BenchmarkExecuteWatched")
	}
	if err := ServeWatchdog(os.Stdin, time.Second); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// startTestWatchdog starts this test binary as a watchdog.
func startTestWatchdog(tb testing.TB) *Watchdog {
	os.Setenv("DROVER_TEST_WATCHDOG", "1")
	defer os.Unsetenv("DROVER_TEST_WATCHDOG")
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	d, err := StartWatchdog(exe, []string{exe, "-test.run=^TestWatchdogProcess$"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := d.Close(); err != nil {
			tb.Error(err)
		}
	})
	return d
}

// BenchmarkExecuteWatched is BenchmarkExecute with a watchdog told of
// every job: the difference of the two is the watchdog's cost per job.
func BenchmarkExecuteWatched(b *testing.B) {
	e := &ProcessExecutor{KillGrace: time.Second, Environ: os.Environ(), Watchdog: startTestWatchdog(b)}
	job := &jobspec.Job{ID: "b", Argv: []string{"true"}}
	var out, errs tail
	out.size, errs.size = 1, 1
	b.ReportAllocs()
	for b.Loop() {
		o := e.Execute(context.Background(), Attempt{Job: job, Number: 1, Stdout: &out, Stderr: &errs})
		if o.ExitCode == nil || *o.ExitCode != 0 {
			b.Fatalf("%+v", o)
		}
	}
}
