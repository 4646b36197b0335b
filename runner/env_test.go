package runner

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
)

func TestJobEnvironment(t *testing.T) {
	inherited := []string{"A=1", "PATH=/first", "B=2", "A=3", "DROVER_JOB_ID=outer", "NOEQUALS", "PATH=/usr/bin:/bin"}
	b := newBaseEnv(inherited)
	if want := []string{"B=2", "A=3", "NOEQUALS", "PATH=/usr/bin:/bin"}; !slices.Equal(b.vars, want) {
		t.Fatalf("base %q, want %q", b.vars, want)
	}
	tests := []struct {
		name string
		env  []jobspec.EnvVar
		want []string
		path string
	}{
		{"no env", nil,
			[]string{"B=2", "A=3", "NOEQUALS", "PATH=/usr/bin:/bin", "DROVER_JOB_ID=j", "DROVER_ATTEMPT=2"}, "/usr/bin:/bin"},
		{"env overrides and adds", []jobspec.EnvVar{{Key: "A", Value: "job"}, {Key: "C", Value: "x=y"}, {Key: "PATH", Value: "/opt"}},
			[]string{"B=2", "NOEQUALS", "A=job", "C=x=y", "PATH=/opt", "DROVER_JOB_ID=j", "DROVER_ATTEMPT=2"}, "/opt"},
		{"drover's own variables win", []jobspec.EnvVar{{Key: "DROVER_ATTEMPT", Value: "9"}, {Key: "B", Value: ""}},
			[]string{"A=3", "NOEQUALS", "PATH=/usr/bin:/bin", "B=", "DROVER_JOB_ID=j", "DROVER_ATTEMPT=2"}, "/usr/bin:/bin"},
	}
	many := []jobspec.EnvVar{}
	want := []string{"B=2", "NOEQUALS", "PATH=/usr/bin:/bin"}
	for _, k := range strings.Fields("K1 K2 K3 K4 K5 K6 K7 K8 K9 A") {
		many = append(many, jobspec.EnvVar{Key: k, Value: "v"})
		want = append(want, k+"=v")
	}
	tests = append(tests, struct {
		name string
		env  []jobspec.EnvVar
		want []string
		path string
	}{"many variables", many, append(want, "DROVER_JOB_ID=j", "DROVER_ATTEMPT=2"), "/usr/bin:/bin"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, path := b.environ(Attempt{Job: &jobspec.Job{ID: "j", Env: tt.env}, Number: 2})
			if !slices.Equal(env, tt.want) {
				t.Errorf("env %q\nwant %q", env, tt.want)
			}
			if path != tt.path {
				t.Errorf("PATH %q, want %q", path, tt.path)
			}
		})
	}
}

// What a process sees: each variable once, the job's value over the
// inherited one, drover's own last.
func TestProcessSeesEachVariableOnce(t *testing.T) {
	e := &ProcessExecutor{Environ: []string{"PATH=/usr/bin:/bin", "A=inherited", "A=inherited again", "DROVER_ATTEMPT=7"}}
	job := &jobspec.Job{ID: "e", Argv: []string{"env"}, Env: []jobspec.EnvVar{{Key: "A", Value: "job"}}}
	var out strings.Builder
	if o := e.Execute(context.Background(), Attempt{Job: job, Number: 1, Stdout: &out, Stderr: io.Discard}); o.Err != nil || o.ExitCode == nil || *o.ExitCode != 0 {
		t.Fatalf("%+v", o)
	}
	got := strings.Fields(out.String())
	want := []string{"PATH=/usr/bin:/bin", "A=job", "DROVER_JOB_ID=e", "DROVER_ATTEMPT=1"}
	if !slices.Equal(got, want) {
		t.Errorf("the job saw %q, want %q", got, want)
	}
}

func TestJobEnvironmentSlot(t *testing.T) {
	b := newBaseEnv([]string{"A=1", "DROVER_JOB_SLOT=9"})
	env, _ := b.environ(Attempt{Job: &jobspec.Job{ID: "j", Env: []jobspec.EnvVar{{Key: "DROVER_JOB_SLOT", Value: "7"}}}, Number: 1, Slot: 3})
	if want := []string{"A=1", "DROVER_JOB_ID=j", "DROVER_ATTEMPT=1", "DROVER_JOB_SLOT=3"}; !slices.Equal(env, want) {
		t.Errorf("env %q, want %q", env, want)
	}
}
