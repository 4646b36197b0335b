package cmd

import (
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/runner"
)

func TestHaltSpec(t *testing.T) {
	tests := []struct {
		spec  string
		total int
		want  runner.Config
		err   string
	}{
		{spec: "never", want: runner.Config{}},
		{spec: "now,fail=1", total: -1, want: runner.Config{MaxFailures: 1}},
		{spec: "soon,fail=3", total: 10, want: runner.Config{MaxFailures: 3, HaltSoon: true}},
		{spec: "now,fail=30%", total: 10, want: runner.Config{MaxFailures: 3}},
		{spec: "now,fail=1%", total: 10, want: runner.Config{MaxFailures: 1}},
		{spec: "now,fail=25%", total: 10, want: runner.Config{MaxFailures: 3}},
		{spec: "now,fail=30%", total: -1, want: runner.Config{MaxFailurePercent: 30}},
		{spec: "now,success=2", total: -1, want: runner.Config{StopOnSuccess: 2}},
		{spec: "soon,success=50%", total: 5, want: runner.Config{StopOnSuccess: 3, HaltSoon: true}},
		{spec: "soon,success=50%", total: -1, err: "needs the total of jobs"},
		{spec: "1", total: -1, want: runner.Config{MaxFailures: 1, HaltSoon: true}},
		{spec: "2", total: -1, want: runner.Config{MaxFailures: 1}},
		{spec: "-2", total: -1, want: runner.Config{StopOnSuccess: 1}},
		{spec: "20%", total: 10, want: runner.Config{MaxFailures: 2, HaltSoon: true}},
		{spec: "now,done=1", err: "done=N"},
		{spec: "now,fail=0", err: "a count from 1"},
		{spec: "now,fail=1.5", err: "a count from 1"},
		{spec: "now,fail=101%", err: "a count from 1"},
		{spec: "later,fail=1", err: "want never"},
	}
	for _, tc := range tests {
		var h haltSpec
		err := h.Set(tc.spec)
		var cfg runner.Config
		if err == nil {
			err = h.apply(&cfg, tc.total)
		}
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("--halt %s: error %v, want %q", tc.spec, err, tc.err)
			}
		case err != nil:
			t.Errorf("--halt %s: %v", tc.spec, err)
		case cfg.MaxFailures != tc.want.MaxFailures || cfg.MaxFailurePercent != tc.want.MaxFailurePercent ||
			cfg.StopOnSuccess != tc.want.StopOnSuccess || cfg.HaltSoon != tc.want.HaltSoon:
			t.Errorf("--halt %s of %d jobs: %+v", tc.spec, tc.total, cfg)
		}
	}
}

func TestJobsForZero(t *testing.T) {
	for nofile, want := range map[uint64]int{0: 1, 70: 1, 1024: 120, 1 << 20: maxJobsForZero} {
		if got := jobsAsManyAsPossible(nofile); got != want {
			t.Errorf("-j 0 with %d open files: %d, want %d", nofile, got, want)
		}
	}
}

func TestParallelFlagError(t *testing.T) {
	for in, want := range map[string]string{
		"unknown flag: --sshlogin":           "--sshlogin is GNU parallel's, not drover's: drover runs jobs on other machines through NATS",
		"unknown shorthand flag: 'X' in -X":  "-X is GNU parallel's",
		"unknown shorthand flag: 'n' in -n2": "-n is GNU parallel's",
		"unknown flag: --xyz":                "unknown flag: --xyz",
	} {
		if got := parallelFlagError(errors.New(in)).Error(); !strings.HasPrefix(got, want) {
			t.Errorf("%q gives %q, want %q…", in, got, want)
		}
	}
}
