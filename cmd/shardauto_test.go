package cmd

import (
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
)

// TestAutoShard reads each system's node variables, minding which count
// from 0 and which from 1.
func TestAutoShard(t *testing.T) {
	for _, c := range []struct {
		name  string
		env   map[string]string
		count int
		want  jobspec.Shard
		err   string
	}{
		{"gitlab first", map[string]string{"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "4"}, 0, jobspec.Shard{K: 1, N: 4}, ""},
		{"gitlab last", map[string]string{"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "4"}, 0, jobspec.Shard{K: 4, N: 4}, ""},
		{"gitlab zero", map[string]string{"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "4"}, 0, jobspec.Shard{}, "CI_NODE_INDEX=0 is not a node from 1 to 4"},
		{"circleci first", map[string]string{"CIRCLE_NODE_INDEX": "0", "CIRCLE_NODE_TOTAL": "3"}, 0, jobspec.Shard{K: 1, N: 3}, ""},
		{"circleci last", map[string]string{"CIRCLE_NODE_INDEX": "2", "CIRCLE_NODE_TOTAL": "3"}, 0, jobspec.Shard{K: 3, N: 3}, ""},
		{"circleci past", map[string]string{"CIRCLE_NODE_INDEX": "3", "CIRCLE_NODE_TOTAL": "3"}, 0, jobspec.Shard{}, "not a node from 0 to 2"},
		{"buildkite", map[string]string{"BUILDKITE_PARALLEL_JOB": "5", "BUILDKITE_PARALLEL_JOB_COUNT": "8"}, 0, jobspec.Shard{K: 6, N: 8}, ""},
		{"slurm from 1", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "1"}, 0, jobspec.Shard{K: 1, N: 10}, ""},
		{"slurm from 0", map[string]string{"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "0"}, 0, jobspec.Shard{K: 10, N: 10}, ""},
		{"slurm from 100", map[string]string{"SLURM_ARRAY_TASK_ID": "102", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "100"}, 0, jobspec.Shard{K: 3, N: 4}, ""},
		{"slurm step", map[string]string{"SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_STEP": "2"}, 0, jobspec.Shard{K: 4, N: 4}, ""},
		{"slurm list", map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"}, 0, jobspec.Shard{}, "not a node from 0 to 2"},
		{"slurm without min", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, 0, jobspec.Shard{}, "SLURM_ARRAY_TASK_MIN is not set"},
		{"kubernetes", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 5, jobspec.Shard{K: 1, N: 5}, ""},
		{"kubernetes last", map[string]string{"JOB_COMPLETION_INDEX": "4"}, 5, jobspec.Shard{K: 5, N: 5}, ""},
		{"kubernetes without count", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 0, jobspec.Shard{}, "add --shard-count N"},
		{"count disagrees", map[string]string{"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "4"}, 3, jobspec.Shard{}, "--shard-count 3, but CI_NODE_TOTAL=4"},
		{"not a number", map[string]string{"CI_NODE_INDEX": "x", "CI_NODE_TOTAL": "4"}, 0, jobspec.Shard{}, `CI_NODE_INDEX="x" is not a number`},
		{"total missing", map[string]string{"CI_NODE_INDEX": "1"}, 0, jobspec.Shard{}, "CI_NODE_TOTAL is not set"},
		{"first system wins", map[string]string{"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "2", "JOB_COMPLETION_INDEX": "0"}, 0, jobspec.Shard{K: 2, N: 2}, ""},
		{"none", map[string]string{"CI": "true"}, 0, jobspec.Shard{}, "looked for CI_NODE_INDEX/CI_NODE_TOTAL (GitLab CI parallel), CIRCLE_NODE_INDEX"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, from, err := autoShard(func(k string) string { return c.env[k] }, c.count)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want || !strings.HasPrefix(from, "shard "+c.want.String()+" from ") {
				t.Fatalf("got %v %q %v, want %v", got, from, err, c.want)
			}
		})
	}
}
