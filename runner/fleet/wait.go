package fleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
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
// wait (the run goes on; a later Wait collects the rest).
func Wait(ctx context.Context, nc *nats.Conn, names Names, run string, cfg WaitConfig) (*Waited, error) {
	if cfg.Events != nil {
		defer close(cfg.Events)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	js, kv, err := runsOn(ctx, nc, names)
	if err != nil {
		return nil, err
	}
	r, err := getRun(ctx, kv, run)
	if err != nil {
		return nil, err
	}
	w := &Waited{Info: r.info}
	switch {
	case r.info.State == Collected:
		w.AlreadyCollected = true
		if r.info.Final != nil {
			w.Counts = *r.info.Final
		}
		return w, nil
	case !r.info.Detached && submitterAlive(nc, names, run):
		return nil, fmt.Errorf("run %s: %w", run, ErrCollectedBySubmitter)
	}

	cons, err := js.OrderedConsumer(ctx, names.ResultsStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{names.results(run)},
	})
	if err != nil {
		return nil, fmt.Errorf("reading results: %w", err)
	}
	seen := map[int]bool{}
	var read uint64 // stream sequence of the last result read
	tally := waitTally(cfg)
	tick := time.NewTicker(cfg.Poll)
	defer tick.Stop()
	var over bool // no more results can come once read reaches target
	var target uint64
	for {
		batch, err := cons.FetchNoWait(256)
		if err != nil {
			return nil, fmt.Errorf("reading results: %w", err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			if md, err := msg.Metadata(); err == nil {
				read = md.Sequence.Stream
			}
			m, err := decodeResult(msg.Data())
			if err != nil || m.Run != run || seen[m.Seq] {
				continue
			}
			seen[m.Seq] = true
			if m.Status == notStarted {
				tally.NotStarted()
				continue
			}
			tally.Add(resultFrom(cfg.Sink, &jobspec.Job{ID: m.ID, Seq: m.Seq, Record: m.Record}, m))
		}
		w.Summary = tally.Summary()
		if err := tally.Err(); err != nil {
			return w, err // the run's results stay on the server for another wait
		}
		if over && read >= target {
			break
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return w, ctx.Err()
		case <-tick.C:
		}
		if !over {
			if over, target, err = finished(ctx, nc, js, kv, names, w); err != nil {
				return w, err
			}
		}
	}

	// Every result is in: the jobs that gave none never started.
	finishedJobs := len(seen)
	w.NotStarted += max(w.Info.Queued-finishedJobs, 0)
	w.Jobs = finishedJobs + max(w.Info.Queued-finishedJobs, 0) + w.Info.Local
	local := w.Info.LocalCounts
	w.Succeeded += local.Succeeded
	w.Failed += local.Failed
	w.TimedOut += local.TimedOut
	w.Canceled += local.Canceled
	w.Skipped += local.Skipped
	w.Duration = time.Since(w.Info.Created) // the run's wall time, not the wait's
	counts := w.Counts
	updateRun(ctx, kv, run, func(i *RunInfo) bool {
		if i.State == Collected { // by its submitter, back meanwhile: its counts stand
			return false
		}
		i.State, i.Final, i.Incomplete = Collected, &counts, w.Info.Incomplete
		return true
	})
	if st, err := js.Stream(ctx, names.ResultsStream); err == nil {
		st.Purge(ctx, jetstream.WithPurgeSubject(names.results(run)))
	}
	return w, nil
}

// finished tells whether a run can get no more results: its submitter
// queues no more jobs (it is done, or lost), no cancel is under way, and
// none of its jobs is left on the queue. A worker publishes a job's result
// before it acknowledges the job, so every result is on the server by
// then, up to target.
func finished(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, kv jetstream.KeyValue, names Names, w *Waited) (bool, uint64, error) {
	r, err := getRun(ctx, kv, w.Info.Run)
	if err != nil {
		return false, 0, err
	}
	info := r.info
	switch info.State {
	case Submitting:
		if submitterAlive(nc, names, info.Run) {
			return false, 0, nil
		}
		info.Incomplete = true
	case Canceling:
		if time.Since(info.Updated) < 5*time.Minute { // a drover cancel is waiting for the stopped jobs
			return false, 0, nil
		}
	}
	n, err := onQueue(ctx, js, names, info.Run)
	if err != nil || n > 0 {
		return false, 0, err
	}
	last, err := lastResult(ctx, js, names, info.Run)
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
		Worker: m.Worker, Slot: m.Slot}
	if m.Error != "" {
		res.Err = errors.New(m.Error)
	}
	return res
}
