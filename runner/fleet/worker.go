package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// WorkerConfig holds what a Worker needs. Zero durations mean none, except
// where noted.
type WorkerConfig struct {
	Jobs     int // at most this many jobs run at once (>= 1)
	Prefetch int // jobs taken from the queue beyond the running ones, ready to start (>= 1)
	// AckWait is the consumer's ack deadline, when this worker is the one
	// that creates it; 0 means DefaultAckWait.
	AckWait time.Duration
	// MaxDeliver ends a job that has been delivered more often than this as
	// failed, without running it: each worker that took it was lost.
	MaxDeliver int

	KillGrace     time.Duration
	RetryDelay    time.Duration
	RetryMaxDelay time.Duration
	Environ       []string // the environment every job starts from
	// Watchdog, when set, stops the jobs' process groups when the worker
	// dies (runner.Watchdog).
	Watchdog *runner.Watchdog

	OutputLimit int    // bytes of each of a job's stdout and stderr sent back with its result
	Name        string // names this worker in the results it sends
	// Log, when set, hears one line for each thing the worker's operator
	// should know of: jobs finished, jobs handed back, lost connections.
	// It is called from several goroutines, at the same time.
	Log func(string)
	// Throttle holds the starts of jobs on this worker's machine.
	Throttle runner.Throttle
	// FetchWait bounds one pull from the queue; 0 means a second. A drain
	// waits at most this long for the pull under way.
	FetchWait time.Duration
	// ResultWait bounds the time spent sending one job's result while the
	// server does not take it; then the job goes back to the queue. 0
	// means a minute.
	ResultWait time.Duration
}

// Worker pulls jobs from the queue and runs them with the local runner.
// Drain, Stop, Kill and Running may be called from any goroutine at any
// time; Run is called once.
type Worker struct {
	cfg     WorkerConfig
	srv     *Server
	cons    jetstream.Consumer
	ackWait time.Duration
	r       *runner.Runner
	procs   *runner.ProcessExecutor // runs the attempts, under claimingExecutor
	events  chan runner.Event

	mu       sync.Mutex
	held     map[*jobspec.Job]*heldJob
	runs     map[string]*runState
	canceled map[string]time.Time // runs canceled by their submitter, and when
	draining bool
	stopping bool
	refusal  error // why the worker refused the job queue while it ran

	warnings warnings

	drainOnce, killOnce sync.Once
	drained, killed     chan struct{}
}

// heldJob is a job the worker has taken from the queue and not yet
// finished or handed back. Its fields are guarded by Worker.mu.
type heldJob struct {
	msg   jetstream.Msg
	m     *jobMsg
	run   *runState
	state heldState
	taken time.Time
}

type heldState int

const (
	waiting    heldState = iota // taken, not started
	started                     // its first attempt started
	handedBack                  // given back to the queue unstarted
	refused                     // its run was canceled before it started
	overdue                     // held past the ack deadline, its run was over before it started
)

// runState is what the worker knows of one run: a context that ends when
// the run's submitter cancels it, and how many of its jobs are held.
type runState struct {
	ctx    context.Context
	cancel context.CancelFunc
	held   int
}

// NewWorker makes sure the workers' consumer exists and makes a Worker on
// srv.
func NewWorker(ctx context.Context, srv *Server, cfg WorkerConfig) (*Worker, error) {
	switch {
	case cfg.Jobs < 1 || cfg.Prefetch < 1:
		return nil, errors.New("jobs and prefetch must be at least 1")
	case cfg.MaxDeliver < 1:
		return nil, errors.New("max-deliver must be at least 1")
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	if cfg.FetchWait <= 0 {
		cfg.FetchWait = time.Second
	}
	if cfg.ResultWait <= 0 {
		cfg.ResultWait = time.Minute
	}
	ctx, done := srv.guard(ctx)
	defer done()
	cons, err := workerConsumer(ctx, srv.js, srv.names, cfg.AckWait)
	if err != nil {
		return nil, srv.refused(ctx, err)
	}
	if err := checkQueueDrains(ctx, srv.js, srv.names, cons); err != nil {
		return nil, srv.refused(ctx, err)
	}
	if err := runner.BecomeSubreaper(); err != nil {
		return nil, fmt.Errorf("becoming a child subreaper: %w", err)
	}
	w := &Worker{
		cfg: cfg, srv: srv, cons: cons, ackWait: cfg.AckWait,
		events:   make(chan runner.Event, 64),
		held:     map[*jobspec.Job]*heldJob{},
		runs:     map[string]*runState{},
		canceled: map[string]time.Time{},
		drained:  make(chan struct{}),
		killed:   make(chan struct{}),
	}
	w.procs = &runner.ProcessExecutor{KillGrace: cfg.KillGrace, Environ: cfg.Environ, Watchdog: cfg.Watchdog}
	if info := cons.CachedInfo(); info != nil && info.Config.AckWait > 0 {
		w.ackWait = info.Config.AckWait // the consumer may predate this worker
	}
	w.r, err = runner.New(runner.Config{
		Jobs: cfg.Jobs, Queue: cfg.Prefetch,
		KillGrace: cfg.KillGrace, RetryDelay: cfg.RetryDelay, RetryMaxDelay: cfg.RetryMaxDelay,
		RetryBudget: -1, Environ: cfg.Environ, Throttle: cfg.Throttle,
		Executor: claimingExecutor{w: w, inner: w.procs},
		Sink:     captureSink{limit: cfg.OutputLimit},
		Record:   w.finish,
		Events:   w.events,
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Run pulls and runs jobs until the worker is drained (or ctx ends, which
// stops it like Stop), and returns once every job it took is finished or
// handed back.
func (w *Worker) Run(ctx context.Context) error {
	sub, err := w.srv.nc.Subscribe(w.srv.names.cancel("*"), func(m *nats.Msg) {
		run := strings.TrimPrefix(m.Subject, w.srv.names.cancel(""))
		if err := CheckRunID(run); err != nil {
			w.warn("ignored a cancel on %s: %v", shortened(m.Subject), err)
			return
		}
		w.cancelRun(run)
	})
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	statusSub, err := w.srv.nc.Subscribe(w.srv.names.status(), w.answerStatus)
	if err != nil {
		return err
	}
	defer statusSub.Unsubscribe()

	var wg sync.WaitGroup
	heartbeatDone := make(chan struct{})
	watching, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	wg.Add(3)
	go func() {
		defer wg.Done()
		w.heartbeat(heartbeatDone)
	}()
	go func() {
		defer wg.Done()
		if err := w.srv.watchQueue(watching, w.cons, queueCheckEvery); err != nil {
			w.refuse(err)
		}
	}()
	go func() {
		defer wg.Done()
		for ev := range w.events { // closed by the runner's Run
			switch ev.Kind {
			case runner.AttemptRetrying:
				w.notice(ev.Job, noticeMsg{Attempt: ev.Attempt, Retrying: true, Failure: ev.Failure, Delay: ev.Delay})
			case runner.JobRequeued:
				w.log("job %s: %v; it starts again when memory allows", ev.Job.ID, ev.Err)
			case runner.JobFinished:
				ev.Result.Output.Close()
			}
		}
	}()
	_, err = w.r.Run(ctx, fetcher{w})
	close(heartbeatDone)
	stopWatching()
	wg.Wait()

	// Nothing should be left; whatever is goes back to the queue.
	w.mu.Lock()
	var left []jetstream.Msg
	for job, h := range w.held {
		left = append(left, h.msg)
		delete(w.held, job)
	}
	w.mu.Unlock()
	for _, msg := range left {
		msg.Nak()
	}
	if err == nil {
		w.mu.Lock()
		err = w.refusal
		w.mu.Unlock()
	}
	return err
}

// refuse drains the worker, which then returns err: the job queue it
// pulls from is no longer one it can work on.
func (w *Worker) refuse(err error) {
	w.mu.Lock()
	w.refusal = err
	w.mu.Unlock()
	w.log("refusing the job queue, and draining: %v", err)
	w.Drain()
}

// Drain stops taking jobs: the jobs taken but not started go back to the
// queue at once, and the running jobs run to completion.
func (w *Worker) Drain() {
	w.drainOnce.Do(func() {
		w.mu.Lock()
		w.draining = true
		var back []jetstream.Msg
		for _, h := range w.held {
			if h.state == waiting {
				h.state = handedBack
				back = append(back, h.msg)
			}
		}
		w.mu.Unlock()
		close(w.drained)
		w.r.Drain()
		for _, msg := range back {
			msg.Nak()
		}
		if len(back) > 0 {
			w.log("handed %s back to the queue", runner.Plural(len(back), "unstarted job"))
		}
	})
}

// Stop drains and stops the running jobs (SIGTERM, SIGKILL after the kill
// grace); their jobs go back to the queue for another worker.
func (w *Worker) Stop() {
	w.Drain()
	w.mu.Lock()
	w.stopping = true
	w.mu.Unlock()
	w.r.Stop()
}

// Kill stops the running jobs with SIGKILL at once, and gives up sending
// results that cannot be sent now: those jobs are delivered again later.
func (w *Worker) Kill() {
	w.Stop()
	w.r.Kill()
	w.killOnce.Do(func() { close(w.killed) })
}

// Running is the number of jobs running now.
func (w *Worker) Running() int { return w.r.Running() }

func (w *Worker) log(format string, args ...any) {
	if w.cfg.Log != nil {
		w.cfg.Log(fmt.Sprintf(format, args...))
	}
}

// heartbeat tells the server, a few times per ack deadline, that every job
// the worker holds is still being worked on. It also reaps the processes
// that jobs left outside their groups and that have exited since, so that
// a worker that runs for weeks collects no zombies.
func (w *Worker) heartbeat(done <-chan struct{}) {
	t := time.NewTicker(max(w.ackWait/3, 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			w.mu.Lock()
			msgs := make([]jetstream.Msg, 0, len(w.held))
			for _, h := range w.held {
				if h.state == waiting || h.state == started {
					msgs = append(msgs, h.msg)
				}
			}
			w.mu.Unlock()
			for _, msg := range msgs {
				msg.InProgress()
			}
			w.procs.ReapExited()
		}
	}
}

// maxCanceled bounds the canceled runs a worker remembers.
const maxCanceled = 10000

// cancelRun ends the jobs of a run its submitter canceled: the running
// ones are stopped, and the others never start.
func (w *Worker) cancelRun(run string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	for id, at := range w.canceled {
		if now.Sub(at) > StreamMaxAge { // its jobs have left the queue by now
			delete(w.canceled, id)
		}
	}
	if len(w.canceled) >= maxCanceled { // forged cancels must not fill the memory
		oldest := run
		for id, at := range w.canceled {
			if oldest == run || at.Before(w.canceled[oldest]) {
				oldest = id
			}
		}
		delete(w.canceled, oldest)
	}
	w.canceled[run] = now
	if rs := w.runs[run]; rs != nil {
		rs.cancel()
	}
}

// notice tells the job's submitter, on a best-effort basis, that an
// attempt starts or is retried.
func (w *Worker) notice(job *jobspec.Job, n noticeMsg) {
	w.mu.Lock()
	h := w.held[job]
	w.mu.Unlock()
	if h == nil {
		return
	}
	n.Seq, n.Worker = h.m.Seq, w.cfg.Name
	if data, err := json.Marshal(n); err == nil {
		w.srv.nc.Publish(w.srv.names.notice(h.m.Run), data)
	}
}
