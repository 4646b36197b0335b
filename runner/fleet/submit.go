package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// SubmitConfig holds what a Submitter needs.
type SubmitConfig struct {
	// Total is the number of jobs the input holds, when it is known (see
	// runner.Config.Total).
	Total int
	// InFlight bounds the jobs submitted and not yet finished; the input is
	// read no further while that many are out (>= 1).
	InFlight int
	// Timeout, Retries and Shell are the run's defaults, applied to each
	// job before it is submitted.
	Timeout time.Duration
	Retries int
	Shell   string
	// MaxFailures cancels the run after this many final failures; 0 means
	// no limit. MaxFailurePercent and StopOnSuccess mean what they mean in
	// runner.StopRules; a rule reached cancels the run. (There is no
	// draining stop: jobs already queued for the workers would still start.)
	MaxFailures       int
	MaxFailurePercent float64
	StopOnSuccess     int
	// Deadline, when set, cancels the run as Stop does once it passes.
	Deadline time.Time
	// CancelWait bounds the wait, once the run is canceled, for the results
	// of the jobs that had started on workers; 0 means 30 seconds.
	CancelWait time.Duration
	// Prefix names the namespace of the run's streams and subjects (see
	// Names); Replicas is the number of copies of each stream when the
	// run creates them, and, unless 0, the number an existing stream must
	// have.
	Prefix   string
	Replicas int
	// Log, when set, hears of the messages the run ignores: results that
	// match no job it submitted, garbage on its subjects. It is called
	// from one goroutine at a time.
	Log func(string)

	// Detach makes Run return once every job is on the queue: the run goes
	// on without its submitter, and drover wait collects its results.
	Detach bool
	// Name names the submitter (host:pid) in the run's metadata; Results
	// is the absolute path of the run's results file, if any, so that a
	// later --resume on it finds the run.
	Name    string
	Results string

	// Sink, Skip, Record and Events mean what they mean in runner.Config.
	Sink   runner.Sink
	Skip   func(*jobspec.Job) bool
	Record func(*runner.Result) error
	Events chan<- runner.Event
}

// Submitter runs one set of jobs on the workers: it submits them to the
// queue under a run id of its own, collects their results, and reports as
// a local runner.Runner does. Drain, Stop, Kill and Running may be called
// from any goroutine at any time; Run is called once.
type Submitter struct {
	cfg   SubmitConfig
	nc    *nats.Conn
	js    jetstream.JetStream
	pub   jetstream.JetStream // publishes the jobs, InFlight at most waiting for the server
	run   string
	names Names

	intake     context.Context // done once no job may be submitted any more
	stopIntake context.CancelFunc
	canceled   chan struct{} // closed once the run is canceled
	cancelOnce sync.Once
	cancelWhy  error            // set once, as canceled closes
	reason     runner.FirstStop // why intake stopped
	killed     chan struct{}
	killOnce   sync.Once
	warnings   warnings
	expired    chan struct{} // closed once the deadline has passed and canceled the run

	mu          sync.Mutex
	outstanding map[int]*pending // submitted, not finished: at most InFlight
	out         atomic.Int64     // len(outstanding)
	running     atomic.Int64     // outstanding jobs a worker has started

	life life
}

// pending is a submitted job waiting for its result.
type pending struct {
	job     *jobspec.Job
	started bool
}

// canceledBy says why a run was canceled, for each cause of a cancel.
var canceledBy = map[runner.StopCause]error{
	runner.StopSignal:       errors.New("canceled by a signal"),
	runner.StopMaxFailures:  errors.New("canceled by --max-failures"),
	runner.StopOnSuccess:    errors.New("canceled by --stop-on-success"),
	runner.StopDeadline:     errors.New("canceled: the run's deadline passed"),
	runner.StopCanceled:     errors.New("canceled by drover cancel"),
	runner.StopResultsError: errors.New("canceled: the results file could not be written"),
}

// NewSubmitter makes sure the streams exist and makes a Submitter on nc,
// with a new run id. The caller closes nc after Run returns.
func NewSubmitter(ctx context.Context, nc *nats.Conn, cfg SubmitConfig) (*Submitter, error) {
	if cfg.InFlight < 1 {
		return nil, errors.New("in-flight jobs must be at least 1")
	}
	if cfg.CancelWait <= 0 {
		cfg.CancelWait = 30 * time.Second
	}
	names, err := NewNames(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	js, err := streams(ctx, nc, names, cfg.Replicas)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	rand.Read(id)
	pub, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(cfg.InFlight), jetstream.WithPublishAsyncTimeout(5*time.Second))
	if err != nil {
		return nil, err
	}
	kv, err := runs(ctx, js, names, cfg.Replicas)
	if err != nil {
		return nil, err
	}
	s := &Submitter{cfg: cfg, nc: nc, js: js, pub: pub, run: hex.EncodeToString(id), names: names,
		canceled: make(chan struct{}), killed: make(chan struct{}), expired: make(chan struct{}), outstanding: map[int]*pending{}}
	s.life.kv = kv
	s.intake, s.stopIntake = context.WithCancel(context.Background())
	return s, nil
}

// warn says an ignored message in the run's log.
func (s *Submitter) warn(format string, args ...any) { s.warnings.say(s.cfg.Log, format, args...) }

// RunID is the id that keeps this run's messages apart.
func (s *Submitter) RunID() string { return s.run }

// Drain stops submitting; the jobs already submitted still run. Drain,
// Stop and Kill are stops from outside the run: their cause is
// runner.StopSignal.
func (s *Submitter) Drain() { s.drainFor(runner.StopSignal, nil) }

// Stop drains and cancels the submitted jobs: those still on the queue are
// removed from it, and the workers stop those that are running.
func (s *Submitter) Stop() { s.cancel(runner.StopSignal) }

// Kill cancels and stops waiting for the results of canceled jobs.
func (s *Submitter) Kill() {
	s.cancel(runner.StopSignal)
	s.killOnce.Do(func() { close(s.killed) })
}

// drainFor stops submitting for cause c (err: the input's error).
func (s *Submitter) drainFor(c runner.StopCause, err error) {
	s.reason.Set(c, err)
	s.stopIntake()
}

// Running is the number of jobs submitted and not yet finished.
func (s *Submitter) Running() int { return int(s.out.Load()) }

// cancel stops submitting and cancels the run for cause c.
func (s *Submitter) cancel(c runner.StopCause) {
	s.drainFor(c, nil)
	s.cancelOnce.Do(func() {
		s.cancelWhy = canceledBy[c]
		close(s.canceled)
		s.nc.Publish(s.names.cancel(s.run), nil)
		s.purge(s.names.JobsStream, s.names.jobs(s.run))
		s.nc.Flush()
	})
}

// purge removes the run's messages on subject from stream, on a
// best-effort basis: what is left expires after StreamMaxAge.
func (s *Submitter) purge(stream, subject string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st, err := s.js.Stream(ctx, stream); err == nil {
		st.Purge(ctx, jetstream.WithPurgeSubject(subject))
	}
}

// arrival is what the collector hears of: a result from a worker, a
// notice, a job finished without a worker (skipped, not submittable), or
// the end of the input.
type arrival struct {
	result *resultMsg
	notice *noticeMsg
	local  *runner.Result
	ended  bool
}

// Run submits the jobs of src and collects their results until every
// submitted job has finished, or the run is canceled and the started jobs
// have reported (or CancelWait has passed). ctx ending stops the run like
// Stop. It returns the summary and the first error that ended the run
// early: src's error, the Record error, or a queue that cannot be reached.
func (s *Submitter) Run(ctx context.Context, src runner.Source) (runner.Summary, error) {
	start := time.Now()
	if err := s.begin(ctx); err != nil {
		if s.cfg.Events != nil {
			close(s.cfg.Events)
		}
		return runner.Summary{}, fmt.Errorf("recording the run: %w", err)
	}
	defer s.life.end()
	if s.cfg.Detach {
		return s.runDetached(ctx, src)
	}
	defer context.AfterFunc(ctx, s.Stop)()
	if s.cfg.Events != nil {
		defer close(s.cfg.Events)
	}
	if i, ok := src.(runner.Interrupter); ok {
		defer context.AfterFunc(s.intake, i.Interrupt)()
	}
	var sum runner.Summary
	if !s.cfg.Deadline.IsZero() {
		expire := func() { close(s.expired); s.cancel(runner.StopDeadline) }
		if left := time.Until(s.cfg.Deadline); left > 0 {
			defer time.AfterFunc(left, expire).Stop()
		} else {
			expire() // nothing is submitted after a deadline already past
		}
	}

	arrivals := make(chan arrival, 64)
	done := make(chan struct{}) // closed when the collector is finished
	send := func(a arrival) {
		s.life.sent(a)
		select {
		case arrivals <- a:
		case <-done:
		}
	}
	cons, err := s.js.OrderedConsumer(context.Background(), s.names.ResultsStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{s.names.results(s.run)},
	})
	if err != nil {
		return sum, fmt.Errorf("reading results: %w", err)
	}
	it, err := cons.Messages()
	if err != nil {
		return sum, fmt.Errorf("reading results: %w", err)
	}
	notices := make(chan *nats.Msg, 4096)
	sub, err := s.nc.ChanSubscribe(s.names.notice(s.run), notices)
	if err != nil {
		it.Stop()
		return sum, err
	}

	var wg sync.WaitGroup
	var accepted int
	var intakeErr error
	wg.Add(3)
	go func() {
		defer wg.Done()
		for {
			msg, err := it.Next()
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			}
			if err != nil { // the ordered consumer recovers by itself; wait a little
				select {
				case <-done:
					return
				case <-time.After(100 * time.Millisecond):
					continue
				}
			}
			res, err := decodeResult(msg.Data())
			switch {
			case err != nil:
				s.warn("ignored a message on %s that is not a result (%d bytes): %v", shortened(msg.Subject()), len(msg.Data()), err)
			case res.Run != s.run:
				s.warn("ignored a result of run %s on this run's subject", res.Run)
			default:
				send(arrival{result: res})
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case m := <-notices:
				if n, err := decodeNotice(m.Data); err == nil {
					send(arrival{notice: n})
				}
			}
		}
	}()
	slots := make(chan struct{}, s.cfg.InFlight)
	go func() {
		defer wg.Done()
		accepted, intakeErr = s.submitAll(src, slots, send)
		s.submittedAll()
		send(arrival{ended: true})
	}()

	tally := s.newTally(runner.StopRules{MaxFailures: s.cfg.MaxFailures, MaxFailurePercent: s.cfg.MaxFailurePercent,
		StopOnSuccess: s.cfg.StopOnSuccess}, s.cancel)
	ended := make(chan struct{})
	toldStop := s.reason.Tell(s.intake, ended, s.emit)
	s.collect(tally, arrivals, slots)
	close(done)
	it.Stop()
	sub.Unsubscribe()
	wg.Wait()
	s.purge(s.names.ResultsStream, s.names.results(s.run)) // recorded here: the server need not keep them

	// What is left never reported: a job a worker had started counts as
	// canceled, the others as not started.
	s.mu.Lock()
	left := s.outstanding
	s.outstanding = map[int]*pending{}
	s.mu.Unlock()
	for _, p := range sortedPending(left) {
		if !p.started {
			continue
		}
		now := time.Now()
		res := &runner.Result{Job: p.job, Status: runner.Canceled, Attempts: 1, StartedAt: now, FinishedAt: now,
			Err: fmt.Errorf("%v; no result came from its worker within %s", s.cancelWhy, s.cfg.CancelWait), Output: s.output(p.job, nil)}
		tally.Add(res)
	}
	close(ended)
	toldStop()
	sum = tally.Summary()
	select {
	case <-s.expired:
		sum.DeadlinePassed = true
	default:
	}
	sum.Jobs, sum.NotStarted = tally.Jobs(accepted, 0)
	sum.Duration = time.Since(start)
	s.collected(sum)
	if intakeErr != nil {
		return sum, intakeErr
	}
	return sum, tally.Err()
}
