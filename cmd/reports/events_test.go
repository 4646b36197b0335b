package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

func TestEventWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewEventWriter(&buf)
	job := &jobspec.Job{ID: "a\nb", Record: jobspec.Position{File: "f", Line: 3}}
	rec := runner.Record{ID: job.ID, Status: runner.Failed}
	w.RunStarted(-1)
	w.Event(runner.Event{Kind: runner.JobAccepted, Job: job}, nil)
	w.Event(runner.Event{Kind: runner.AttemptStarted, Job: job, Attempt: 1, Slot: 2}, nil)
	w.Event(runner.Event{Kind: runner.AttemptRetrying, Job: job, Attempt: 1, Delay: 1500 * time.Millisecond, Failure: "exit code 3"}, nil)
	w.Event(runner.Event{Kind: runner.JobFinished, Job: job, Result: &runner.Result{Job: job, Status: runner.Failed}}, &rec)
	w.Event(runner.Event{Kind: runner.StartsHeld, Hold: &runner.Hold{Reason: runner.HoldMemory}}, nil)
	w.Event(runner.Event{Kind: runner.JobRequeued, Job: job, Attempt: 1, Err: errors.New("low")}, nil)
	w.Event(runner.Event{Kind: runner.StartsHeld}, nil)
	w.Event(runner.Event{Kind: runner.IntakeFailed, Err: errors.New("f:9: bad")}, nil) // the console's; not a line
	w.Event(runner.Event{Kind: runner.IntakeStopped, Cause: runner.StopInputError, Err: errors.New("f:9: bad")}, nil)
	w.Signal("SIGINT", "drain")
	w.RunFinished([]byte(`{"jobs":1}` + "\n"))
	if err := w.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"run_started", "accepted", "started", "retrying", "finished", "starts_held", "requeued", "starts_resumed", "intake_stopped", "signal", "run_finished"}
	sc := bufio.NewScanner(&buf)
	var got []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", len(got)+1, err)
		}
		got = append(got, m)
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i, m := range got {
		if m["v"] != float64(1) || m["type"] != want[i] {
			t.Errorf("line %d: v %v type %v, want 1 %s", i+1, m["v"], m["type"], want[i])
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil {
			t.Errorf("line %d: time: %v", i+1, err)
		}
	}
	if got[2]["slot"] != float64(2) || got[3]["delay_ms"] != float64(1500) || got[3]["failure"] != "exit code 3" {
		t.Errorf("started or retrying: %v %v", got[2], got[3])
	}
	if res := got[4]["result"].(map[string]any); res["id"] != "a\nb" || res["status"] != "failed" {
		t.Errorf("finished: %v", got[4])
	}
	if got[5]["reason"] != "memory" || got[6]["id"] != "a\nb" || got[6]["error"] != "low" {
		t.Errorf("held or requeued: %v %v", got[5], got[6])
	}
	if got[8]["reason"] != "input_error" || got[8]["error"] != "f:9: bad" || got[9]["action"] != "drain" {
		t.Errorf("intake or signal: %v %v", got[8], got[9])
	}
	if s := got[10]["summary"].(map[string]any); s["jobs"] != float64(1) {
		t.Errorf("run_finished: %v", got[10])
	}
}

// failingWriter fails every write.
type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) { f.n++; return 0, errors.New("disk full") }

func TestEventWriterStopsAfterAnError(t *testing.T) {
	fw := &failingWriter{}
	w := NewEventWriter(fw)
	w.RunStarted(3)
	w.Signal("SIGTERM", "stop")
	if w.Err() == nil || fw.n != 1 {
		t.Fatalf("err %v after %d writes", w.Err(), fw.n)
	}
}
