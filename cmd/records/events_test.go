package records

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// TestEventsTee checks that the tee passes every event on, in order, and
// closes the console's channel after the engine closes its own; that a
// finished job's line holds its record with the saved files; and that the
// stop is written with the cause the engine tells, and only then: a
// signal's line is no stop of its own.
func TestEventsTee(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.ndjson")
	ev, err := CreateEvents(path)
	if err != nil {
		t.Fatal(err)
	}
	ev.Begin(2)
	next := make(chan runner.Event, 1)
	in := ev.Tee(next)
	job := &jobspec.Job{ID: "a", Record: jobspec.Position{File: "f", Line: 1}}
	sent := []runner.Event{
		{Kind: runner.JobAccepted, Job: job},
		{Kind: runner.AttemptStarted, Job: job, Attempt: 1, Slot: 1},
		{Kind: runner.JobFinished, Job: job, Result: &runner.Result{Job: job, Status: runner.Failed, Output: saved{}}, Counts: runner.Counts{Failed: 1}},
		{Kind: runner.IntakeStopped, Cause: runner.StopOnSuccess},
		{Kind: runner.JobFinished, Job: job, Result: &runner.Result{Job: job, Status: runner.Failed, Output: saved{}}, Counts: runner.Counts{Failed: 2}},
	}
	go func() {
		for _, e := range sent {
			in <- e
		}
		close(in)
	}()
	var got []runner.Event
	for e := range next {
		got = append(got, e)
	}
	if len(got) != len(sent) || got[1].Kind != runner.AttemptStarted {
		t.Fatalf("passed on %d events, want %d", len(got), len(sent))
	}
	ev.Signal("SIGINT", "drain")
	if err := ev.Finish(Outcome{Summary: runner.Summary{Counts: runner.Counts{Jobs: 2, Failed: 2}}, ExitCode: 1}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		types = append(types, m["type"].(string))
		if m["type"] == "intake_stopped" && m["reason"] != "stop_on_success" {
			t.Errorf("intake_stopped with another reason than the one told: %s", line)
		}
		if m["type"] == "finished" {
			if res := m["result"].(map[string]any); res["stderr_file"] != "out/a.stderr" {
				t.Errorf("finished without the saved files: %s", line)
			}
		}
	}
	want := "run_started accepted started finished intake_stopped finished signal run_finished"
	if strings.Join(types, " ") != want {
		t.Errorf("types %v\nwant  %s", types, want)
	}
}

func TestEventsOnFDRefusesABadDescriptor(t *testing.T) {
	if _, err := EventsOnFD(987); err == nil {
		t.Fatal("descriptor 987 accepted")
	}
}
