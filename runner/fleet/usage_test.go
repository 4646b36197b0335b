package fleet

import "testing"

// The worker that runs a job sends its usage back with the result, and the
// submitter's record carries it.
func TestWorkerSendsUsage(t *testing.T) {
	url := startServer(t)
	run := submit(t, url, SubmitConfig{}, shJobs(1, `dd if=/dev/zero of=/dev/null bs=32M count=1 2>/dev/null; i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done`))
	w := startWorker(t, url, "a", WorkerConfig{})
	run.finish(t)
	if len(run.records) != 1 {
		t.Fatalf("records %+v", run.records)
	}
	rec := run.records[0]
	if rec.MaxRSSBytes < 32<<20 || rec.UserMS+rec.SysMS <= 0 {
		t.Errorf("record %+v: want the worker's usage (at least 32 MiB and some CPU)", rec)
	}
	w.Drain()
	w.wait(t)
}
