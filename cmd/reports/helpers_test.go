package reports

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/drover/drover/runner"
)

// sampleRun is a run of n jobs on three slots, every status among them.
func sampleRun(n int) *Run {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	statuses := []runner.Status{runner.Succeeded, runner.Succeeded, runner.Failed, runner.Succeeded, runner.TimedOut, runner.Canceled, runner.Skipped}
	var jobs []Job
	ends := [3]time.Duration{}
	for i := range n {
		st := statuses[i%len(statuses)]
		slot := i%3 + 1
		d := time.Duration(200+(i*137)%900) * time.Millisecond
		b := ends[slot-1]
		ends[slot-1] = b + d
		rec := runner.Record{
			ID: fmt.Sprintf("job-%02d", i), Record: fmt.Sprintf("jobs.ndjson:%d", i+1), Status: st, Attempts: 1,
			StartedAt: start.Add(b).Format(time.RFC3339Nano), FinishedAt: start.Add(b + d).Format(time.RFC3339Nano),
			DurationMS: d.Milliseconds(), Slot: slot,
		}
		rec.Cmd, _ = json.Marshal(fmt.Sprintf("make test PART=%d", i))
		var tail string
		switch st {
		case runner.Failed:
			c := 2
			rec.ExitCode, rec.Attempts = &c, 3
			tail = "compiling…\nerror: <x> & \"y\" failed: 50% done, a,b\n\x1b[31mred\x1b[0m\n"
		case runner.TimedOut:
			sig, msg := "SIGTERM", "timed out after 1s"
			rec.Signal, rec.Error = &sig, &msg
		case runner.Canceled:
			msg := "stopped by a signal"
			rec.Error = &msg
		case runner.Skipped:
			rec.FinishedAt, rec.DurationMS, rec.Slot = rec.StartedAt, 0, 0
			ends[slot-1] = b
		default:
			c := 0
			rec.ExitCode = &c
		}
		jobs = append(jobs, NewJob(rec, []byte(tail)))
	}
	return NewRun("drover", jobs, 2)
}
