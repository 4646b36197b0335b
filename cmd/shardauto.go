package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/drover/drover/jobspec"
)

// shardAuto is the --shard value that takes the shard from the variables
// a CI system or a scheduler sets on each of its parallel nodes.
const shardAuto = "auto"

// nodeVars are the variables by which one system numbers its parallel
// nodes: the node's index, counted from base, and the number of nodes
// (none when the system does not give it: --shard-count does).
type nodeVars struct {
	system       string
	index, count string
	base         int
}

// nodeSystems are looked for in this order; the first whose index is set
// gives the shard.
var nodeSystems = []nodeVars{
	{"GitLab CI parallel", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1},
	{"CircleCI parallelism", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0},
	{"Buildkite parallelism", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0},
	{"Slurm job array", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", 0}, // base: SLURM_ARRAY_TASK_MIN
	{"Kubernetes Indexed Job", "JOB_COMPLETION_INDEX", "", 0},
}

// autoShard works out --shard auto from the environment. count is
// --shard-count (0 when not given): the number of nodes where the system
// gives only an index. It returns the shard and a line that says where it
// came from.
func autoShard(getenv func(string) string, count int) (jobspec.Shard, string, error) {
	for _, sys := range nodeSystems {
		if getenv(sys.index) == "" {
			continue
		}
		return sys.shard(getenv, count)
	}
	var looked []string
	for _, sys := range nodeSystems {
		vars := sys.index
		if sys.count != "" {
			vars += "/" + sys.count
		}
		looked = append(looked, vars+" ("+sys.system+")")
	}
	return jobspec.Shard{}, "", fmt.Errorf("--shard auto: none of the variables that say which parallel node this is is set; looked for %s. Give --shard K/N instead", strings.Join(looked, ", "))
}

func (sys nodeVars) shard(getenv func(string) string, count int) (jobspec.Shard, string, error) {
	fail := func(format string, a ...any) (jobspec.Shard, string, error) {
		return jobspec.Shard{}, "", fmt.Errorf("--shard auto ("+sys.system+"): "+format, a...)
	}
	index, err := envNumber(getenv, sys.index)
	if err != nil {
		return fail("%v", err)
	}
	from := fmt.Sprintf("%s=%d", sys.index, index)
	base, n := sys.base, count
	switch {
	case sys.count != "":
		if n, err = envNumber(getenv, sys.count); err != nil {
			return fail("%v", err)
		}
		if count > 0 && count != n {
			return fail("--shard-count %d, but %s=%d", count, sys.count, n)
		}
		from += fmt.Sprintf(" %s=%d", sys.count, n)
	case count == 0:
		return fail("%s gives this node's index only: add --shard-count N, the number of nodes (the Job's completions)", sys.index)
	}
	if sys.index == "SLURM_ARRAY_TASK_ID" {
		if index, base, err = slurmTask(getenv, index); err != nil {
			return fail("%v", err)
		}
	}
	k := index - base + 1
	if k < 1 || k > n {
		return fail("%s is not a node from %d to %d", strings.Fields(from)[0], base, base+n-1)
	}
	return jobspec.Shard{K: k, N: n}, fmt.Sprintf("shard %d/%d from %s (%s)", k, n, from, sys.system), nil
}

// slurmTask turns a Slurm array task's id into its place in the array:
// an array runs ids from SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP apart
// (--array=MIN-MAX[:STEP]).
func slurmTask(getenv func(string) string, id int) (index, base int, err error) {
	first, err := envNumber(getenv, "SLURM_ARRAY_TASK_MIN")
	if err != nil {
		return 0, 0, err
	}
	step := 1
	if getenv("SLURM_ARRAY_TASK_STEP") != "" {
		if step, err = envNumber(getenv, "SLURM_ARRAY_TASK_STEP"); err != nil || step < 1 {
			return 0, 0, fmt.Errorf("SLURM_ARRAY_TASK_STEP=%q is not a step of at least 1", getenv("SLURM_ARRAY_TASK_STEP"))
		}
	}
	if id < first || (id-first)%step != 0 {
		return 0, 0, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d is not MIN + a multiple of STEP (MIN %d, STEP %d): give the array as --array=MIN-MAX[:STEP]", id, first, step)
	}
	return (id - first) / step, 0, nil
}

// envNumber reads a variable that must hold a number from 0 up.
func envNumber(getenv func(string) string, name string) (int, error) {
	v := getenv(name)
	if v == "" {
		return 0, fmt.Errorf("%s is not set", name)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q is not a number from 0 up", name, v)
	}
	return n, nil
}
