package records

import (
	"errors"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// The lines GNU parallel 20221122 writes for such jobs, but for the times.
func TestJoblogLine(t *testing.T) {
	start := time.Unix(1796408539, 97_000_000)
	code := func(n int) *int { return &n }
	shell := &jobspec.Job{Seq: 2, Argv: []string{"sleep 0.1; exit 3"}, Shell: true}
	argv := &jobspec.Job{Seq: 1, Argv: []string{"printf", "%s", "a\tb"}}
	tests := []struct {
		res  runner.Result
		want string
	}{
		{runner.Result{Job: shell, Status: runner.Failed, ExitCode: code(3), Attempts: 1},
			"2\t:\t1796408539.097\t     0.105\t0\t0\t3\t0\tsleep 0.1; exit 3\n"},
		{runner.Result{Job: argv, Status: runner.Failed, Signal: "SIGKILL", Attempts: 1, Worker: "w1"},
			"1\tw1\t1796408539.097\t     0.105\t0\t0\t0\t9\tprintf '%s' 'a\tb'\n"},
		{runner.Result{Job: argv, Status: runner.TimedOut, Signal: "SIGTERM", Attempts: 1},
			"1\t:\t1796408539.097\t     0.105\t0\t0\t-1\t15\tprintf '%s' 'a\tb'\n"},
		{runner.Result{Job: argv, Status: runner.Canceled, ExitCode: code(0), Attempts: 1},
			"1\t:\t1796408539.097\t     0.105\t0\t0\t-1\t15\tprintf '%s' 'a\tb'\n"},
		{runner.Result{Job: argv, Status: runner.Failed, Err: errors.New("not found"), Attempts: 1},
			"1\t:\t1796408539.097\t     0.105\t0\t0\t-1\t0\tprintf '%s' 'a\tb'\n"},
	}
	for _, tc := range tests {
		tc.res.StartedAt, tc.res.FinishedAt = start, start.Add(105*time.Millisecond)
		if got := JoblogLine(&tc.res); got != tc.want {
			t.Errorf("JoblogLine(%+v) =\n%q, want\n%q", tc.res, got, tc.want)
		}
	}
}
