package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

// procState is a process's state letter from /proc (R, S, T, Z, ...), or
// "" when it is gone.
func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i > 0 && len(s) > i+2 {
		return s[i+2 : i+3]
	}
	return ""
}

// eventually waits, up to a minute, for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after a minute", what)
		}
	}
}

// Pause sends SIGSTOP to each running job's whole process group, Resume
// SIGCONT; each job knows its slot from DROVER_JOB_SLOT.
func TestPauseStopsTheJobsProcessGroups(t *testing.T) {
	dir := t.TempDir()
	cfg := baseConfig()
	cfg.Jobs, cfg.KillGrace = 2, 100*time.Millisecond
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Summary)
	list := []*jobspec.Job{}
	for _, id := range []string{"a", "b"} {
		list = append(list, shellJob(id, fmt.Sprintf("sleep 600 & echo $$ $! $DROVER_JOB_SLOT > %s.tmp && mv %s.tmp %s; wait",
			filepath.Join(dir, id), filepath.Join(dir, id), filepath.Join(dir, id))))
	}
	go func() { sum, _ := r.Run(context.Background(), &jobs{list: list}); done <- sum }()
	var pids []int
	slots := map[string]bool{}
	for _, id := range []string{"a", "b"} {
		var b []byte
		eventually(t, id+" started", func() bool { b, err = os.ReadFile(filepath.Join(dir, id)); return err == nil })
		f := strings.Fields(string(b))
		if len(f) != 3 {
			t.Fatalf("job %s wrote %q", id, b)
		}
		for _, s := range f[:2] {
			pid, _ := strconv.Atoi(s)
			pids = append(pids, pid)
		}
		slots[f[2]] = true
	}
	if !slots["1"] || !slots["2"] {
		t.Errorf("DROVER_JOB_SLOT values %v, want 1 and 2", slots)
	}
	ended := false
	defer func() { // a failed test leaves nothing running
		if !ended {
			r.Kill()
			<-done
		}
	}()
	r.Pause()
	for _, pid := range pids {
		eventually(t, fmt.Sprintf("process %d stopped", pid), func() bool { return procState(pid) == "T" })
	}
	r.Resume()
	for _, pid := range pids {
		eventually(t, fmt.Sprintf("process %d continued", pid), func() bool { s := procState(pid); return s != "T" && s != "" })
	}
	r.Pause()
	r.Stop() // a paused job still gets SIGTERM, and SIGCONT to act on it
	sum := <-done
	ended = true
	if sum.Canceled != 2 {
		t.Fatalf("%+v", sum.Counts)
	}
	for _, pid := range pids {
		if s := procState(pid); s != "" && s != "Z" {
			t.Errorf("process %d left behind, state %s", pid, s)
		}
	}
}
