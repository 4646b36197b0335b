package runner

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

// closeCount is a JobOutput that counts its Close calls.
type closeCount struct {
	discard
	n *int
}

func (c closeCount) Close() error { *c.n++; return nil }

func TestTallyCountsJudgesRecordsAndReports(t *testing.T) {
	var order []string
	var stops []StopCause
	recorded := 0
	tally := NewTally(TallyConfig{
		Rules: StopRules{MaxFailures: 2},
		Record: func(*Result) error {
			order = append(order, "record")
			if recorded++; recorded == 3 {
				return errors.New("disk full")
			}
			return nil
		},
		Stop:  func(c StopCause) { order = append(order, "stop:"+c.String()); stops = append(stops, c) },
		Final: func(*Result) { order = append(order, "final") },
		Emit: func(ev Event) {
			order = append(order, "emit")
			if ev.Kind != JobFinished || ev.Counts.Finished() == 0 {
				t.Errorf("event %+v", ev)
			}
		},
		Total: 7,
	})
	for _, st := range []Status{Failed, TimedOut, Failed, Succeeded} {
		tally.Add(&Result{Job: &jobspec.Job{ID: string(st)}, Status: st, Attempts: 2, Output: discard{}})
	}
	tally.NotStarted()
	sum := tally.Summary()
	if sum.Failed != 2 || sum.TimedOut != 1 || sum.Succeeded != 1 || sum.NotStarted != 1 || sum.Retries != 4 || !sum.StoppedByFailures {
		t.Errorf("summary %+v", sum)
	}
	// One stop for the rule, one for the results file; the third record
	// failed and the fourth result is not handed to Record.
	if len(stops) != 2 || stops[0] != StopMaxFailures || stops[1] != StopResultsError || recorded != 3 {
		t.Errorf("stops %v, %d records", stops, recorded)
	}
	if err := tally.Err(); err == nil || tally.Total() != 7 {
		t.Errorf("err %v, total %d", err, tally.Total())
	}
	want := "record final emit stop:max_failures record final emit record stop:results_error final emit final emit"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("order %q\nwant  %q", got, want)
	}
}

func TestTallyWithoutEventsClosesTheOutput(t *testing.T) {
	closed := 0
	tally := NewTally(TallyConfig{Total: -1})
	tally.Add(&Result{Job: &jobspec.Job{ID: "a"}, Status: Succeeded, Output: closeCount{n: &closed}})
	if closed != 1 {
		t.Errorf("output closed %d times, want 1", closed)
	}
}

// TestIntakeStoppedTellsItsCause runs the stops of a local run and checks
// that each is told once, with its cause, whichever stopped the run.
func TestIntakeStoppedTellsItsCause(t *testing.T) {
	bad := errors.New("t:3: bad record")
	cases := []struct {
		name  string
		setup func(*Config)
		src   *jobs
		stop  func(*Runner)
		want  StopCause
	}{
		{"max failures percent", func(c *Config) { c.MaxFailurePercent = 50 }, &jobs{list: manyJobs(8)}, nil, StopMaxFailures},
		{"stop on success", func(c *Config) { c.StopOnSuccess = 1 }, &jobs{list: manyJobs(8)}, nil, StopOnSuccess},
		{"input error", func(*Config) {}, &jobs{list: manyJobs(1), err: bad}, nil, StopInputError},
		{"signal", func(*Config) {}, &jobs{list: manyJobs(8)}, (*Runner).Drain, StopSignal},
		{"deadline", func(c *Config) { c.Deadline = time.Now().Add(-time.Second) }, &jobs{list: manyJobs(8)}, nil, StopDeadline},
		{"none", func(*Config) {}, &jobs{list: manyJobs(3)}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Jobs = 1
			tc.setup(&cfg)
			cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
				n, _ := strconv.Atoi(a.Job.ID)
				return Outcome{ExitCode: code(n % 2)} // odd ids fail
			})
			events := make(chan Event)
			cfg.Events = events
			r, _ := New(cfg)
			if tc.stop != nil {
				tc.stop(r)
			}
			go r.Run(context.Background(), tc.src)
			var told []Event
			for ev := range events {
				if ev.Kind == JobFinished {
					ev.Result.Output.Close()
				}
				if ev.Kind == IntakeStopped {
					told = append(told, ev)
				}
			}
			switch {
			case tc.want == 0 && len(told) != 0:
				t.Fatalf("told %+v of a run that was not stopped", told)
			case tc.want == 0:
			case len(told) != 1 || told[0].Cause != tc.want:
				t.Fatalf("told %+v, want one stop for %s", told, tc.want)
			case tc.want == StopInputError && !errors.Is(told[0].Err, bad):
				t.Errorf("input error told as %v", told[0].Err)
			}
		})
	}
}
