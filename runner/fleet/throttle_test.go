package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/runner"
)

// fileMemory is a runner.MemorySource that reports no memory while a file
// exists, and plenty otherwise.
type fileMemory struct{ path string }

func (m fileMemory) Available() (int64, error) {
	if _, err := os.Stat(m.path); err == nil {
		return 0, nil
	}
	return 1 << 40, nil
}

// A worker whose throttle holds every start hands the jobs it holds back
// when drained, and another worker runs them.
func TestHeldWorkerHandsBackItsJobs(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	low, log := filepath.Join(dir, "low"), filepath.Join(dir, "log")
	os.WriteFile(low, nil, 0o644)
	run := submit(t, url, SubmitConfig{}, shJobs(3, fmt.Sprintf(`echo "$DROVER_JOB_ID:$WORKER" >> %s`, log)))
	a := startWorker(t, url, "a", WorkerConfig{AckWait: time.Hour, Throttle: runner.Throttle{MemFree: 1 << 30, Memory: fileMemory{low}}})
	waitFor(t, "worker a holding jobs", func() bool { return a.holds() > 0 })
	a.Drain()
	a.wait(t)
	startWorker(t, url, "b", WorkerConfig{})
	sum := run.finish(t)
	if sum.Succeeded != 3 || strings.Contains(strings.Join(lines(log), " "), ":a") {
		t.Fatalf("%+v; ran %v", sum.Counts, lines(log))
	}
}

// A job a worker stops for want of memory starts again there, and the
// submitter's record says it was requeued.
func TestRequeuedOnAWorker(t *testing.T) {
	url := startServer(t)
	dir := t.TempDir()
	low, once := filepath.Join(dir, "low"), filepath.Join(dir, "once")
	// The first run of the job takes "the memory" (makes low) and gives it
	// back when stopped; the second succeeds at once.
	script := fmt.Sprintf(`[ -e %[2]s ] && exit 0; touch %[2]s; trap 'rm -f %[1]s; exit 143' TERM; touch %[1]s; while :; do sleep 0.01; done`, low, once)
	run := submit(t, url, SubmitConfig{}, shJobs(1, script))
	w := startWorker(t, url, "a", WorkerConfig{Throttle: runner.Throttle{MemFree: 1 << 30, Memory: fileMemory{low}, Poll: 10 * time.Millisecond}})
	sum := run.finish(t)
	if sum.Succeeded != 1 || sum.Requeued != 1 || len(run.records) != 1 || run.records[0].Requeued != 1 || run.records[0].Attempts != 1 {
		t.Fatalf("%+v; records %+v", sum, run.records)
	}
	w.mu.Lock()
	logs := strings.Join(w.logs, "\n")
	w.mu.Unlock()
	if !strings.Contains(logs, "job job1: stopped for want of memory") {
		t.Errorf("worker log %q", logs)
	}
	w.Drain()
	w.wait(t)
}
