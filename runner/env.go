package runner

import (
	"strconv"
	"strings"
)

// jobVarKeys are the variables drover sets for every attempt. They come
// last, after the job's own env, so that neither the inherited environment
// nor the job can override them; jobVars appends their values.
var jobVarKeys = []string{"DROVER_JOB_ID", "DROVER_ATTEMPT", "DROVER_JOB_SLOT"}

// jobVars appends the values of jobVarKeys for the attempt to env;
// DROVER_JOB_SLOT only when the attempt has a slot.
func jobVars(env []string, a Attempt) []string {
	env = append(env,
		"DROVER_JOB_ID="+a.Job.ID,
		"DROVER_ATTEMPT="+strconv.Itoa(a.Number))
	if a.Slot > 0 {
		env = append(env, "DROVER_JOB_SLOT="+strconv.Itoa(a.Slot))
	}
	return env
}

// baseEnv is the environment every job starts from, prepared once per
// executor: the inherited variables with duplicates removed (the last one
// wins, as with getenv on a list built by appending) and without the
// variables drover sets itself. A job's environment is then base, plus the
// job's env, plus jobVars, with no entry to deduplicate.
type baseEnv struct {
	vars []string
	path string // the value of PATH in vars
}

func newBaseEnv(environ []string) baseEnv {
	seen := make(map[string]bool, len(environ))
	kept := make([]string, 0, len(environ))
	for i := len(environ) - 1; i >= 0; i-- {
		kv := environ[i]
		k := envKey(kv)
		if seen[k] || isJobVar(k) || strings.IndexByte(kv, 0) >= 0 {
			continue
		}
		seen[k] = true
		kept = append(kept, kv)
	}
	var b baseEnv
	for i := len(kept) - 1; i >= 0; i-- { // back to the inherited order
		b.vars = append(b.vars, kept[i])
		if k, v, _ := strings.Cut(kept[i], "="); k == "PATH" {
			b.path = v
		}
	}
	return b
}

// envKey is the name of a NAME=value entry; an entry without '=' is all
// name, as exec treats it.
func envKey(kv string) string {
	if i := strings.IndexByte(kv, '='); i >= 0 {
		return kv[:i]
	}
	return kv
}

func isJobVar(key string) bool {
	for _, k := range jobVarKeys {
		if k == key {
			return true
		}
	}
	return false
}

// environ builds the environment of one attempt and returns it with the
// PATH it holds. A job without env costs one slice: the base entries are
// shared strings, not copies.
func (b *baseEnv) environ(a Attempt) (env []string, path string) {
	job := a.Job
	env = make([]string, 0, len(b.vars)+len(job.Env)+len(jobVarKeys))
	path = b.path
	if len(job.Env) == 0 {
		return jobVars(append(env, b.vars...), a), path
	}
	// The job's keys are distinct (the decoder refuses a key given twice);
	// they replace inherited entries of the same name.
	overridden := func(k string) bool {
		for _, v := range job.Env {
			if v.Key == k {
				return true
			}
		}
		return false
	}
	if len(job.Env) > 8 {
		keys := make(map[string]struct{}, len(job.Env))
		for _, v := range job.Env {
			keys[v.Key] = struct{}{}
		}
		overridden = func(k string) bool { _, ok := keys[k]; return ok }
	}
	for _, kv := range b.vars {
		if !overridden(envKey(kv)) {
			env = append(env, kv)
		}
	}
	for _, v := range job.Env {
		if isJobVar(v.Key) {
			continue
		}
		env = append(env, v.Key+"="+v.Value)
		if v.Key == "PATH" {
			path = v.Value
		}
	}
	return jobVars(env, a), path
}
