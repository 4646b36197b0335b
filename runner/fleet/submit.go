package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
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
	// InFlight bounds the jobs submitted and not yet finished; the input is
	// read no further while that many are out (>= 1).
	InFlight int
	// Timeout, Retries and Shell are the run's defaults, applied to each
	// job before it is submitted.
	Timeout time.Duration
	Retries int
	Shell   string
	// MaxFailures cancels the run after this many final failures; 0 means
	// no limit.
	MaxFailures int
	// CancelWait bounds the wait, once the run is canceled, for the results
	// of the jobs that had started on workers; 0 means 30 seconds.
	CancelWait time.Duration

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
	nc  *nats.Conn
	js  jetstream.JetStream
	run string

	intake     context.Context // done once no job may be submitted any more
	stopIntake context.CancelFunc
	canceled   chan struct{} // closed once the run is canceled
	cancelOnce sync.Once
	cancelWhy  error
	killed     chan struct{}
	killOnce   sync.Once

	mu          sync.Mutex
	outstanding map[int]*pending // submitted, not finished: at most InFlight
	out         atomic.Int64     // len(outstanding)
	running     atomic.Int64     // outstanding jobs a worker has started
}

// pending is a submitted job waiting for its result.
type pending struct {
	job     *jobspec.Job
	started bool
}

var (
	errStopped     = errors.New("canceled by a signal")
	errMaxFailures = errors.New("canceled by --max-failures")
)

// NewSubmitter makes sure the streams exist and makes a Submitter on nc,
// with a new run id. The caller closes nc after Run returns.
func NewSubmitter(ctx context.Context, nc *nats.Conn, cfg SubmitConfig) (*Submitter, error) {
	if cfg.InFlight < 1 {
		return nil, errors.New("in-flight jobs must be at least 1")
	}
	if cfg.CancelWait <= 0 {
		cfg.CancelWait = 30 * time.Second
	}
	js, err := streams(ctx, nc)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	rand.Read(id)
	s := &Submitter{cfg: cfg, nc: nc, js: js, run: hex.EncodeToString(id),
		canceled: make(chan struct{}), killed: make(chan struct{}), outstanding: map[int]*pending{}}
	s.intake, s.stopIntake = context.WithCancel(context.Background())
	return s, nil
}

// RunID is the id that keeps this run's messages apart.
func (s *Submitter) RunID() string { return s.run }

// Drain stops submitting; the jobs already submitted still run.
func (s *Submitter) Drain() { s.stopIntake() }

// Stop drains and cancels the submitted jobs: those still on the queue are
// removed from it, and the workers stop those that are running.
func (s *Submitter) Stop() { s.cancel(errStopped) }

// Kill cancels and stops waiting for the results of canceled jobs.
func (s *Submitter) Kill() {
	s.cancel(errStopped)
	s.killOnce.Do(func() { close(s.killed) })
}

// Running is the number of jobs submitted and not yet finished.
func (s *Submitter) Running() int { return int(s.out.Load()) }

func (s *Submitter) cancel(why error) {
	s.stopIntake()
	s.cancelOnce.Do(func() {
		s.cancelWhy = why
		close(s.canceled)
		s.nc.Publish(cancelPrefix+s.run, nil)
		s.purge(jobsPrefix + s.run)
		s.nc.Flush()
	})
}

// purge removes the run's messages on subject from their stream, on a
// best-effort basis: what is left expires after StreamMaxAge.
func (s *Submitter) purge(subject string) {
	stream := JobsStream
	if strings.HasPrefix(subject, resultsPrefix) {
		stream = ResultsStream
	}
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
	defer context.AfterFunc(ctx, s.Stop)()
	if s.cfg.Events != nil {
		defer close(s.cfg.Events)
	}
	if i, ok := src.(runner.Interrupter); ok {
		defer context.AfterFunc(s.intake, i.Interrupt)()
	}
	var sum runner.Summary

	arrivals := make(chan arrival, 64)
	done := make(chan struct{}) // closed when the collector is finished
	send := func(a arrival) {
		select {
		case arrivals <- a:
		case <-done:
		}
	}
	cons, err := s.js.OrderedConsumer(context.Background(), ResultsStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{resultsPrefix + s.run},
	})
	if err != nil {
		return sum, fmt.Errorf("reading results: %w", err)
	}
	it, err := cons.Messages()
	if err != nil {
		return sum, fmt.Errorf("reading results: %w", err)
	}
	notices := make(chan *nats.Msg, 4096)
	sub, err := s.nc.ChanSubscribe(noticePrefix+s.run, notices)
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
			if err != nil {
				continue // the ordered consumer recovers by itself
			}
			if res, err := decodeResult(msg.Data()); err == nil && res.Run == s.run {
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
				var n noticeMsg
				if json.Unmarshal(m.Data, &n) == nil {
					send(arrival{notice: &n})
				}
			}
		}
	}()
	slots := make(chan struct{}, s.cfg.InFlight)
	go func() {
		defer wg.Done()
		accepted, intakeErr = s.submitAll(src, slots, send)
		send(arrival{ended: true})
	}()

	recordErr := s.collect(&sum, arrivals, slots)
	close(done)
	it.Stop()
	sub.Unsubscribe()
	wg.Wait()
	s.purge(resultsPrefix + s.run) // recorded here: the server need not keep them

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
		if err := s.record(&sum, res); err != nil && recordErr == nil {
			recordErr = err
		}
	}
	sum.Jobs = accepted
	sum.NotStarted = accepted - sum.Finished()
	sum.Duration = time.Since(start)
	if intakeErr != nil {
		return sum, intakeErr
	}
	return sum, recordErr
}

// submitAll reads jobs and submits them, taking a slot for each, so that
// at most InFlight jobs are out. It returns the number of jobs accepted.
func (s *Submitter) submitAll(src runner.Source, slots chan struct{}, send func(arrival)) (int, error) {
	accepted := 0
	for {
		select {
		case slots <- struct{}{}:
		case <-s.intake.Done():
			return accepted, nil
		}
		job, err := src.Next()
		if err == io.EOF {
			return accepted, nil
		}
		if err != nil && s.intake.Err() != nil {
			return accepted, nil // intake stopped while reading: the read was interrupted
		}
		if err != nil {
			s.Drain()
			s.emit(runner.Event{Kind: runner.IntakeFailed, Err: err})
			return accepted, err
		}
		if s.intake.Err() != nil {
			return accepted, nil
		}
		accepted++
		s.emit(runner.Event{Kind: runner.JobAccepted, Job: job})
		if s.cfg.Skip != nil && s.cfg.Skip(job) {
			now := time.Now()
			send(arrival{local: &runner.Result{Job: job, Status: runner.Skipped, StartedAt: now, FinishedAt: now, Output: s.output(job, nil)}})
			continue
		}
		s.mu.Lock()
		s.outstanding[job.Seq] = &pending{job: job}
		s.out.Store(int64(len(s.outstanding)))
		s.mu.Unlock()
		if err := s.submit(job); err != nil {
			if s.forget(job.Seq) == nil {
				continue // a result came after all
			}
			if s.intake.Err() != nil {
				<-slots // not submitted: not started
				return accepted, nil
			}
			now := time.Now()
			send(arrival{local: &runner.Result{Job: job, Status: runner.Failed, StartedAt: now, FinishedAt: now,
				Err: fmt.Errorf("cannot submit: %w", err), Output: s.output(job, nil)}})
		}
	}
}

// submit puts one job on the queue, trying again while the server does not
// answer, until intake stops. A message the server refuses for its size is
// an error at once.
func (s *Submitter) submit(job *jobspec.Job) error {
	data, err := json.Marshal(newJobMsg(s.run, job, s.cfg.Timeout, s.cfg.Retries, s.cfg.Shell))
	if err != nil {
		return err
	}
	msgID := s.run + "." + strconv.Itoa(job.Seq) // a retried submission is queued once
	for {
		ctx, cancel := context.WithTimeout(s.intake, 5*time.Second)
		_, err := s.js.Publish(ctx, jobsPrefix+s.run, data, jetstream.WithMsgID(msgID))
		cancel()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, nats.ErrMaxPayload):
			return fmt.Errorf("%w: the job's message is %d bytes", err, len(data))
		case s.intake.Err() != nil:
			return s.intake.Err()
		}
		select {
		case <-s.intake.Done():
			return s.intake.Err()
		case <-time.After(time.Second):
		}
	}
}

// forget removes a job from the outstanding ones and returns it, or nil
// when it was not outstanding.
func (s *Submitter) forget(seq int) *pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.outstanding[seq]
	if p != nil {
		delete(s.outstanding, seq)
		s.out.Store(int64(len(s.outstanding)))
		if p.started {
			s.running.Add(-1)
		}
	}
	return p
}

// collect is the collector: this goroutine alone counts, records and
// reports final results. It returns when the input has ended and nothing
// is outstanding, or when a canceled run's started jobs have reported.
func (s *Submitter) collect(sum *runner.Summary, arrivals <-chan arrival, slots <-chan struct{}) error {
	var recordErr error
	ended := false
	var waitLimit <-chan time.Time
	canceled := s.canceled
	for {
		if ended && s.out.Load() == 0 {
			return recordErr
		}
		if waitLimit != nil && s.running.Load() == 0 {
			return recordErr // canceled, and every started job has reported
		}
		select {
		case <-canceled:
			canceled = nil
			waitLimit = time.After(s.cfg.CancelWait)
			continue
		case <-waitLimit:
			return recordErr
		case <-s.killed:
			return recordErr
		case a := <-arrivals:
			var res *runner.Result
			switch {
			case a.ended:
				ended = true
				continue
			case a.notice != nil:
				s.noticed(a.notice)
				continue
			case a.local != nil:
				res = a.local
			case a.result != nil:
				p := s.forget(a.result.Seq)
				if p == nil {
					continue // a job that ran twice: the first result counts
				}
				if a.result.Status == notStarted {
					<-slots
					continue
				}
				res = s.resultOf(p.job, a.result)
			}
			<-slots
			if err := s.record(sum, res); err != nil && recordErr == nil {
				recordErr = err
				s.cancel(err)
			}
			if s.cfg.MaxFailures > 0 && sum.Failed+sum.TimedOut >= s.cfg.MaxFailures && !sum.StoppedByFailures {
				sum.StoppedByFailures = true
				s.cancel(errMaxFailures)
			}
		}
	}
}

// noticed passes a worker's notice on as the runner's event.
func (s *Submitter) noticed(n *noticeMsg) {
	s.mu.Lock()
	p := s.outstanding[n.Seq]
	if p != nil && !p.started {
		p.started = true
		s.running.Add(1)
	}
	s.mu.Unlock()
	if p == nil {
		return
	}
	if n.Retrying {
		s.emit(runner.Event{Kind: runner.AttemptRetrying, Job: p.job, Attempt: n.Attempt, Delay: n.Delay, Failure: n.Failure})
	} else {
		s.emit(runner.Event{Kind: runner.AttemptStarted, Job: p.job, Attempt: n.Attempt})
	}
}

// record counts, records and reports one final result.
func (s *Submitter) record(sum *runner.Summary, res *runner.Result) error {
	switch res.Status {
	case runner.Succeeded:
		sum.Succeeded++
	case runner.Failed:
		sum.Failed++
	case runner.TimedOut:
		sum.TimedOut++
	case runner.Canceled:
		sum.Canceled++
	case runner.Skipped:
		sum.Skipped++
	}
	sum.Retries += max(res.Attempts-1, 0)
	var err error
	if s.cfg.Record != nil {
		if err = s.cfg.Record(res); err != nil {
			err = fmt.Errorf("results file: %w", err)
		}
	}
	if s.cfg.Events == nil {
		res.Output.Close()
		return err
	}
	s.emit(runner.Event{Kind: runner.JobFinished, Job: res.Job, Result: res, Counts: sum.Counts})
	return err
}

func (s *Submitter) emit(ev runner.Event) {
	if s.cfg.Events != nil {
		ev.Running = int(s.running.Load())
		s.cfg.Events <- ev
	}
}

// resultOf turns a worker's result into the runner's.
func (s *Submitter) resultOf(job *jobspec.Job, m *resultMsg) *runner.Result {
	res := &runner.Result{Job: job, Status: m.Status, ExitCode: m.ExitCode, Signal: m.Signal, Attempts: m.Attempts,
		StartedAt: m.StartedAt, FinishedAt: m.FinishedAt, StderrTail: m.StderrTail, Output: s.output(job, m)}
	if m.Error != "" {
		res.Err = errors.New(m.Error)
	}
	return res
}

// output replays what a worker sent back of a job's output through the
// run's Sink, as if the job had run here.
func (s *Submitter) output(job *jobspec.Job, m *resultMsg) runner.JobOutput {
	if s.cfg.Sink == nil {
		return discard{}
	}
	out, err := s.cfg.Sink.Open(job)
	if err != nil {
		return discard{}
	}
	if m != nil {
		out.Stdout().Write(m.Stdout)
		out.Stderr().Write(m.Stderr)
		for _, d := range []struct {
			what string
			n    int64
		}{{"stdout", m.StdoutDropped}, {"stderr", m.StderrDropped}} {
			if d.n > 0 {
				fmt.Fprintf(out.Stderr(), "[drover: %d more bytes of %s were not sent back by worker %s]\n", d.n, d.what, m.Worker)
			}
		}
	}
	return out
}

// sortedPending lists jobs in input order.
func sortedPending(m map[int]*pending) []*pending {
	list := make([]*pending, 0, len(m))
	for _, p := range m {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b *pending) int { return a.job.Seq - b.job.Seq })
	return list
}

type discard struct{}

func (discard) Stdout() io.Writer { return io.Discard }
func (discard) Stderr() io.Writer { return io.Discard }
func (discard) Close() error      { return nil }
