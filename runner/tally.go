package runner

import "fmt"

// TallyConfig holds what a Tally needs.
type TallyConfig struct {
	// Rules are the run's stop rules, judged after each final result.
	Rules StopRules
	// Record, when set, writes a final result to the results file. Once it
	// fails, no later result is handed to it.
	Record func(*Result) error
	// Emit, when set, reports a JobFinished event for each final result;
	// the receiver then owns the result's Output. Without it, the Tally
	// closes the Output itself.
	Emit func(Event)
	// Stop stops the run, for the cause given: a stop rule reached
	// (StopMaxFailures, StopOnSuccess) or the results file failing
	// (StopResultsError). The Tally calls it once at most for a rule and
	// once for the results file.
	Stop func(StopCause)
	// Final, when set, hears of each final result once it is counted,
	// judged and recorded, and before it is reported: the place to let go
	// what waited for the job (its slot; the jobs that need it). It must
	// not block.
	Final func(*Result)
	// Retries, when set, tells the retries spent and denied so far, for
	// the counts; without it, each result's attempts after its first count
	// as retries spent.
	Retries func() (spent, denied int)
	// Total is the number of jobs the run's input holds, or -1 (or 0)
	// when it is not known (a stream). When it is known, Jobs counts every
	// job of the input, read or not.
	Total int
}

// Tally is the one place where a run's final results go: it counts each,
// judges the stop rules on the counts, records it, and reports it as a
// JobFinished event. The local Runner, the fleet's submitter and the
// collection of a detached run all keep one.
//
// A Tally is not safe for concurrent use: one goroutine (the run's
// collector) calls all of its methods, and the Tally calls Stop, Record,
// Final and Emit from that goroutine, in that order for each result. A
// stop therefore happens before Final frees anything, so that no job
// starts after a result that stops the run.
type Tally struct {
	cfg       TallyConfig
	sum       Summary
	halted    bool
	recordErr error
}

// NewTally makes the Tally of one run.
func NewTally(cfg TallyConfig) *Tally { return &Tally{cfg: cfg} }

// Add takes one job's final result: it counts it, judges the stop rules
// (calling Stop the first time one is reached), records it (calling Stop
// the first time Record fails), tells Final and emits JobFinished.
func (t *Tally) Add(res *Result) {
	t.sum.Add(res.Status)
	t.sum.Requeued += res.Requeued
	if res.Status == DepFailed {
		t.sum.CountBlocked(res.BlockedBy)
	}
	if t.cfg.Retries == nil {
		t.sum.Retries += max(res.Attempts-1, 0)
	} else {
		t.sum.Retries, t.sum.RetriesDenied = t.cfg.Retries()
	}
	if h := t.judge(); h != GoOn {
		t.stop(h.Cause())
	}
	if err := t.record(res); err != nil {
		t.stop(StopResultsError)
	}
	if t.cfg.Final != nil {
		t.cfg.Final(res)
	}
	if t.cfg.Emit == nil {
		res.Output.Close()
		return
	}
	t.cfg.Emit(Event{Kind: JobFinished, Job: res.Job, Result: res, Counts: t.sum.Counts})
}

func (t *Tally) stop(c StopCause) {
	if t.cfg.Stop != nil {
		t.cfg.Stop(c)
	}
}

// judge applies the stop rules to the counts, until one is reached.
func (t *Tally) judge() Halt {
	if t.halted {
		return GoOn
	}
	h := t.cfg.Rules.Check(t.sum.Counts)
	switch h {
	case HaltForFailures:
		t.sum.StoppedByFailures = true
	case HaltForSuccess:
		t.sum.StoppedBySuccess = true
	default:
		return GoOn
	}
	t.halted = true
	return h
}

func (t *Tally) record(res *Result) error {
	if t.cfg.Record == nil || t.recordErr != nil {
		return nil
	}
	if err := t.cfg.Record(res); err != nil {
		t.recordErr = fmt.Errorf("results file: %w", err)
		return t.recordErr
	}
	return nil
}

// NotStarted counts one job that is known never to start.
func (t *Tally) NotStarted() { t.sum.NotStarted++ }

// Total is the number of jobs the run's input holds, or -1 when it is not
// known.
func (t *Tally) Total() int { return t.cfg.Total }

// Jobs returns the run's jobs and how many of them never started, once
// the input is read as far as it will be: of the accepted jobs, those
// neither finished nor queued (still waiting in a detached fleet run's
// queue) never started; when the total is known, every job of the input
// that was never read (intake stopped first) never started either, so
// that the jobs are the total.
func (t *Tally) Jobs(accepted, queued int) (jobs, notStarted int) {
	jobs = max(accepted, t.cfg.Total)
	return jobs, max(jobs-t.sum.Finished()-queued, 0)
}

// Err is the first error of Record, if any.
func (t *Tally) Err() error { return t.recordErr }

// Summary is the run's summary so far: the counts and which stop rule
// stopped the run. The caller completes what only it knows (the jobs
// accepted, the duration).
func (t *Tally) Summary() Summary { return t.sum }
