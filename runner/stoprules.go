package runner

// MinFinishedForPercent is how many jobs must have finished before a
// percentage of failures can stop a run, so that one early failure does
// not stop it.
const MinFinishedForPercent = 3

// StopRules say when a run stops early on its own. They are judged on the
// counts each time a job reaches its final status, before any other job
// may start.
type StopRules struct {
	MaxFailures int // final failures (failed or timed out) that stop the run; 0: no limit
	// MaxFailurePercent stops the run once at least this percentage of the
	// jobs finished so far (succeeded, failed or timed out) have failed,
	// after MinFinishedForPercent have finished; 0: no limit.
	MaxFailurePercent float64
	StopOnSuccess     int  // successes that stop the run; 0: no limit
	Soon              bool // a rule reached drains the run (running jobs finish) instead of stopping it
}

// Halt is what a StopRules check decides.
type Halt int

// The decisions of StopRules.Check.
const (
	GoOn            Halt = iota // no rule is reached
	HaltForFailures             // --max-failures (a count or a percentage) is reached
	HaltForSuccess              // --stop-on-success is reached
)

// Cause is the stop cause of a rule reached (0 for GoOn).
func (h Halt) Cause() StopCause {
	switch h {
	case HaltForFailures:
		return StopMaxFailures
	case HaltForSuccess:
		return StopOnSuccess
	}
	return 0
}

// Check judges the counts of a run.
func (s StopRules) Check(c Counts) Halt {
	failures := c.Failed + c.TimedOut
	finished := c.Succeeded + failures
	switch {
	case s.MaxFailures > 0 && failures >= s.MaxFailures:
		return HaltForFailures
	case s.MaxFailurePercent > 0 && finished >= MinFinishedForPercent &&
		float64(failures)*100 >= s.MaxFailurePercent*float64(finished):
		return HaltForFailures
	case s.StopOnSuccess > 0 && c.Succeeded >= s.StopOnSuccess:
		return HaltForSuccess
	}
	return GoOn
}

func (s StopRules) check() string {
	switch {
	case s.MaxFailures < 0:
		return "max-failures must not be negative"
	case s.MaxFailurePercent < 0 || s.MaxFailurePercent > 100:
		return "a max-failures percentage must be from 0 to 100"
	case s.StopOnSuccess < 0:
		return "stop-on-success must not be negative"
	}
	return ""
}
