package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

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
	cfg SubmitConfig
	srv *Server
	pub jetstream.JetStream // publishes the jobs, InFlight at most waiting for the server
	run string

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

	// deps holds back the jobs with needs until their needs' results have
	// come; blocked holds the results it decided, for the collector's
	// tally to take next (the collector alone uses it).
	deps    *runner.Dependencies
	blocked []*runner.Result

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

// NewSubmitter makes a Submitter on srv, with a new run id. It refuses a
// job queue that keeps the jobs its workers acknowledged, as a worker
// does: they would run again.
func NewSubmitter(ctx context.Context, srv *Server, cfg SubmitConfig) (*Submitter, error) {
	if cfg.InFlight < 1 {
		return nil, errors.New("in-flight jobs must be at least 1")
	}
	if cfg.CancelWait <= 0 {
		cfg.CancelWait = 30 * time.Second
	}
	if err := srv.checkQueue(ctx); err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	rand.Read(id)
	pub, err := jetstream.New(srv.nc, jetstream.WithPublishAsyncMaxPending(cfg.InFlight), jetstream.WithPublishAsyncTimeout(5*time.Second))
	if err != nil {
		return nil, err
	}
	s := &Submitter{cfg: cfg, srv: srv, pub: pub, run: hex.EncodeToString(id),
		canceled: make(chan struct{}), killed: make(chan struct{}), expired: make(chan struct{}), outstanding: map[int]*pending{},
		deps: runner.NewDependencies()}
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

// Running is the number of jobs that a worker has started and that have
// not finished yet.
func (s *Submitter) Running() int { return int(s.running.Load()) }

// cancel stops submitting and cancels the run for cause c.
func (s *Submitter) cancel(c runner.StopCause) {
	s.drainFor(c, nil)
	s.cancelOnce.Do(func() {
		s.cancelWhy = canceledBy[c]
		close(s.canceled)
		s.srv.nc.Publish(s.srv.names.cancel(s.run), nil)
		s.purge(s.srv.names.JobsStream, s.srv.names.jobs(s.run))
		s.srv.nc.Flush()
	})
}

// purge removes the run's messages on subject from stream, on a
// best-effort basis: what is left expires after StreamMaxAge.
func (s *Submitter) purge(stream, subject string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.srv.purge(ctx, stream, subject)
}
