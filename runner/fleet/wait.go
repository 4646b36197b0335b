package fleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// WaitConfig holds what Wait needs. Sink, Record and Events mean what they
// mean in runner.Config; Events hears JobFinished only, and is closed when
// Wait returns.
type WaitConfig struct {
	Sink   runner.Sink
	Record func(*runner.Result) error
	Events chan<- runner.Event
	// Known, when set, tells the jobs already recorded (by a submitter
	// that was lost): they are counted, not recorded again.
	Known func(id string) bool
	// Poll is how often Wait asks the server whether the run is over while
	// no result arrives; 0 means 200ms.
	Poll time.Duration
}

// Waited is what Wait found.
type Waited struct {
	runner.Summary
	Info RunInfo
	// AlreadyCollected says that the run's results had been collected
	// before: Summary holds the counts then recorded, and nothing was
	// recorded now.
	AlreadyCollected bool
}

// ErrCollectedBySubmitter is Wait's error for a run whose drover run is
// alive and collects the results itself.
var ErrCollectedBySubmitter = errors.New("its drover run collects its results (drover status shows it)")

// Wait collects the results of a run that its submitter left (detached,
// or lost): it records each job's first result, until no job of the run
// is left on the queue and no more results can come, then marks the run
// collected and removes its results from the server. ctx ending stops the
// wait (the run goes on; a later Wait collects the rest). The summary's
// duration is the wait's.
func (s *Server) Wait(ctx context.Context, run string, cfg WaitConfig) (*Waited, error) {
	if cfg.Events != nil {
		defer close(cfg.Events)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	start := time.Now()
	ctx, done := s.guard(ctx)
	defer done()
	r, err := s.getRun(ctx, run)
	if err != nil {
		return nil, s.explain(ctx, err)
	}
	w := &Waited{Info: r.info}
	switch {
	case r.info.State == Collected:
		w.AlreadyCollected = true
		if r.info.Final != nil {
			w.Counts = *r.info.Final
		}
		return w, nil
	case !r.info.Detached && s.submitterAlive(run):
		return nil, fmt.Errorf("run %s: %w", run, ErrCollectedBySubmitter)
	}
	c := &collection{s: s, run: run, w: w, tally: waitTally(cfg), sink: cfg.Sink, seen: map[int]bool{}}
	if err := c.readAll(ctx, cfg.Poll); err != nil {
		return w, s.refused(ctx, err)
	}
	c.complete()
	w.Duration = time.Since(start)
	if err := s.markCollected(ctx, run, w); err != nil {
		return w, s.explain(ctx, err)
	}
	return w, nil
}

// collection is the reading of a run's results by Wait.
type collection struct {
	s     *Server
	run   string
	w     *Waited
	tally *runner.Tally
	sink  runner.Sink
	seen  map[int]bool // the jobs whose first result was read
	read  uint64       // stream sequence of the last result read
}

// readAll reads the run's results until no more can come, asking the
// server every poll whether that is so while none arrives. A results
// file that fails ends it: the results stay on the server for another
// wait.
func (c *collection) readAll(ctx context.Context, poll time.Duration) error {
	cons, err := c.s.js.OrderedConsumer(ctx, c.s.names.ResultsStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{c.s.names.results(c.run)},
	})
	if err != nil {
		return fmt.Errorf("reading results: %w", err)
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var over bool // no more results can come once read reaches target
	var target uint64
	for {
		n, err := c.readBatch(cons)
		c.w.Summary = c.tally.Summary()
		switch {
		case err != nil:
			return err
		case over && c.read >= target:
			return nil
		case n > 0:
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if !over {
			if over, target, err = c.s.finished(ctx, c.w); err != nil {
				return err
			}
		}
	}
}

// readBatch hands the results waiting on the server to the tally, and
// returns how many messages it read.
func (c *collection) readBatch(cons jetstream.Consumer) (int, error) {
	batch, err := cons.FetchNoWait(256)
	if err != nil {
		return 0, fmt.Errorf("reading results: %w", err)
	}
	n := 0
	for msg := range batch.Messages() {
		n++
		if md, err := msg.Metadata(); err == nil {
			c.read = md.Sequence.Stream
		}
		m, err := decodeResult(msg.Data())
		if err != nil || m.Run != c.run || c.seen[m.Seq] {
			continue
		}
		c.seen[m.Seq] = true
		if m.Status == notStarted {
			c.tally.NotStarted()
			continue
		}
		job, _ := jobOfCommand(m.Cmd) // checked by decodeResult
		job.ID, job.Seq, job.Record = m.ID, m.Seq, m.Record
		c.tally.Add(resultFrom(c.sink, job, m))
	}
	return n, c.tally.Err()
}

// complete counts, once every result is in, the jobs that gave none
// (they never started) and those the submitter recorded itself.
func (c *collection) complete() {
	w := c.w
	w.Summary = c.tally.Summary()
	finishedJobs := len(c.seen)
	w.NotStarted += max(w.Info.Queued-finishedJobs, 0)
	w.Jobs = finishedJobs + max(w.Info.Queued-finishedJobs, 0) + w.Info.Local
	local := w.Info.LocalCounts
	w.Succeeded += local.Succeeded
	w.Failed += local.Failed
	w.TimedOut += local.TimedOut
	w.Canceled += local.Canceled
	w.Skipped += local.Skipped
}

// markCollected records the run as collected, with its counts, and only
// then removes its results from the server: a run whose state could not
// be recorded keeps them, for another wait.
func (s *Server) markCollected(ctx context.Context, run string, w *Waited) error {
	counts := w.Counts
	_, err := s.updateRun(ctx, run, func(i *RunInfo) bool {
		if i.State == Collected { // by its submitter, back meanwhile: its counts stand
			return false
		}
		i.State, i.Final, i.Incomplete = Collected, &counts, w.Info.Incomplete
		return true
	})
	if err != nil {
		return fmt.Errorf("recording run %s as collected: %w", run, err)
	}
	s.purge(ctx, s.names.ResultsStream, s.names.results(run))
	return nil
}

// finished tells whether a run can get no more results: its submitter
// queues no more jobs (it is done, or lost), no cancel is under way, and
// none of its jobs is left on the queue. A worker publishes a job's result
// before it acknowledges the job, so every result is on the server by
// then, up to target.
func (s *Server) finished(ctx context.Context, w *Waited) (bool, uint64, error) {
	r, err := s.getRun(ctx, w.Info.Run)
	if err != nil {
		return false, 0, err
	}
	info := r.info
	switch info.State {
	case Submitting:
		if s.submitterAlive(info.Run) {
			return false, 0, nil
		}
		info.Incomplete = true
	case Canceling:
		if time.Since(info.Updated) < 5*time.Minute { // a drover cancel is waiting for the stopped jobs
			return false, 0, nil
		}
	}
	n, err := s.onQueue(ctx, info.Run)
	if err != nil || n > 0 {
		return false, 0, err
	}
	last, err := s.lastResult(ctx, info.Run)
	if err != nil {
		return false, 0, err
	}
	w.Info = info
	return true, last, nil
}

// waitTally makes the Tally of a wait: no stop rule (the run's submitter
// judged them), and the jobs already recorded counted, not recorded again.
func waitTally(cfg WaitConfig) *runner.Tally {
	tc := runner.TallyConfig{Total: -1}
	if record, known := cfg.Record, cfg.Known; record != nil {
		tc.Record = func(res *runner.Result) error {
			if known != nil && known(res.Job.ID) {
				return nil
			}
			return record(res)
		}
	}
	if events := cfg.Events; events != nil {
		tc.Emit = func(ev runner.Event) { events <- ev }
	}
	return runner.NewTally(tc)
}

// resultFrom turns a worker's result for job into the runner's, its
// output replayed through sink.
func resultFrom(sink runner.Sink, job *jobspec.Job, m *resultMsg) *runner.Result {
	res := &runner.Result{Job: job, Status: m.Status, ExitCode: m.ExitCode, Signal: m.Signal, Attempts: m.Attempts, Requeued: m.Requeued,
		StartedAt: m.StartedAt, FinishedAt: m.FinishedAt, StderrTail: m.StderrTail, Output: replay(sink, job, m),
		Worker: m.Worker, Slot: m.Slot, Usage: runner.Usage{MaxRSS: m.MaxRSS, User: m.User, Sys: m.Sys}}
	if m.Error != "" {
		res.Err = errors.New(m.Error)
	}
	return res
}
