package cmd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/drover/drover/runner"
)

// The --halt-mode values.
const (
	haltNow  = "now"
	haltSoon = "soon"
)

// failLimit is the --max-failures value: a count of failures, or a
// percentage of the jobs finished ("10%").
type failLimit struct {
	count   int
	percent float64 // 0: a count
}

func (f *failLimit) String() string {
	if f.percent > 0 {
		return strconv.FormatFloat(f.percent, 'f', -1, 64) + "%"
	}
	return strconv.Itoa(f.count)
}

func (f *failLimit) Set(s string) error {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || v > 100 || math.IsNaN(v) {
			return fmt.Errorf("want a percentage from 0 to 100, like 10%%")
		}
		*f = failLimit{percent: v}
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a count (0: no limit) or a percentage, like 3 or 10%%")
	}
	*f = failLimit{count: n}
	return nil
}

func (f *failLimit) Type() string { return "N|N%" }

// stopRuleFlags are the flags that set the failure limit and the success
// limit, as given, for the summary to name.
func (o *runOptions) stopRuleFlags() (failures, successes string) {
	switch {
	case o.parallel.halt.set:
		return "--halt " + o.parallel.halt.spec, "--halt " + o.parallel.halt.spec
	case o.failFast:
		return "--fail-fast", "--stop-on-success"
	}
	return "--max-failures " + o.maxFailures.String(), "--stop-on-success"
}

// stopRules checks the flags that stop a run early on its own and sets
// them in cfg: --max-failures (or --fail-fast), --halt-mode,
// --stop-on-success and --deadline, counted from now.
func (o *runOptions) stopRules(cfg *runner.Config) error {
	switch {
	case o.haltMode != haltNow && o.haltMode != haltSoon:
		return usageError("--halt-mode: want now or soon, got %q", o.haltMode)
	case o.stopOnSuccess < 0:
		return usageError("--stop-on-success must not be negative, got %d", o.stopOnSuccess)
	case o.deadline < 0:
		return usageError("--deadline must be positive (0: none), got %s", o.deadline)
	}
	cfg.MaxFailures, cfg.MaxFailurePercent = o.maxFailures.count, o.maxFailures.percent
	if o.failFast {
		cfg.MaxFailures, cfg.MaxFailurePercent = 1, 0
	}
	cfg.HaltSoon = o.haltMode == haltSoon
	cfg.StopOnSuccess = o.stopOnSuccess
	if o.deadline > 0 {
		cfg.Deadline = time.Now().Add(o.deadline)
	}
	return nil
}
