package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// jobMsg is a job on the queue. Everything the worker needs is in it: the
// submitter has already applied its defaults (timeout, retries) and turned
// a string command into SHELL -c CMD.
type jobMsg struct {
	Run     string           `json:"run"`
	Seq     int              `json:"seq"`
	ID      string           `json:"id"`
	Record  jobspec.Position `json:"record"`
	Argv    []string         `json:"argv"`
	Env     []jobspec.EnvVar `json:"env,omitempty"`
	Dir     string           `json:"dir,omitempty"`
	Timeout time.Duration    `json:"timeout_ns"`
	Retries int              `json:"retries"`
	RetryOn *jobspec.RetryOn `json:"retry_on,omitempty"`
	Stdin   *string          `json:"stdin,omitempty"`
}

func newJobMsg(run string, job *jobspec.Job, timeout time.Duration, retries int, shell string) jobMsg {
	m := jobMsg{Run: run, Seq: job.Seq, ID: job.ID, Record: job.Record, Argv: job.Argv, Env: job.Env,
		Dir: job.Dir, Timeout: timeout, Retries: retries, RetryOn: job.RetryOn, Stdin: job.Stdin}
	if job.Shell {
		m.Argv = []string{shell, "-c", job.Argv[0]}
	}
	if job.Timeout != nil {
		m.Timeout = *job.Timeout
	}
	if job.Retries != nil {
		m.Retries = *job.Retries
	}
	return m
}

// job is the message as a jobspec.Job for the local runner.
func (m *jobMsg) job() *jobspec.Job {
	timeout, retries := m.Timeout, m.Retries
	return &jobspec.Job{ID: m.ID, Record: m.Record, Seq: m.Seq, Argv: m.Argv, Env: m.Env, Dir: m.Dir,
		Timeout: &timeout, Retries: &retries, RetryOn: m.RetryOn, Stdin: m.Stdin}
}

func decodeJob(data []byte) (*jobMsg, error) {
	var m jobMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	switch {
	case m.Run == "" || m.Seq < 1:
		return nil, errors.New("no run id or sequence number")
	case len(m.Argv) == 0:
		return &m, errors.New("no command")
	case m.Timeout < 0 || m.Retries < 0 || m.Retries > jobspec.MaxRetries:
		return &m, errors.New("timeout or retries out of range")
	}
	return &m, nil
}

// notStarted is the status, beside the runner's, that a worker reports for
// a job of a canceled run that it took but never started.
const notStarted runner.Status = "not_started"

// resultMsg is a job's result, published by the worker that ran it.
type resultMsg struct {
	Run        string           `json:"run"`
	Seq        int              `json:"seq"`
	ID         string           `json:"id"`
	Record     jobspec.Position `json:"record"`
	Status     runner.Status    `json:"status"`
	ExitCode   *int             `json:"exit_code,omitempty"`
	Signal     string           `json:"signal,omitempty"`
	Attempts   int              `json:"attempts"`
	Requeued   int              `json:"requeued,omitempty"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt time.Time        `json:"finished_at"`
	Error      string           `json:"error,omitempty"`
	// Stdout and Stderr hold the first OutputLimit bytes of each stream;
	// the Dropped counts say how much more there was.
	Stdout        []byte `json:"stdout,omitempty"`
	Stderr        []byte `json:"stderr,omitempty"`
	StdoutDropped int64  `json:"stdout_dropped,omitempty"`
	StderrDropped int64  `json:"stderr_dropped,omitempty"`
	StderrTail    []byte `json:"stderr_tail,omitempty"`
	Worker        string `json:"worker"`
	Slot          int    `json:"slot,omitempty"` // the worker's slot that ran the job
}

func decodeResult(data []byte) (*resultMsg, error) {
	var m resultMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	switch m.Status {
	case runner.Succeeded, runner.Failed, runner.TimedOut, runner.Canceled, notStarted:
	default:
		return nil, fmt.Errorf("unknown status %q", m.Status)
	}
	return &m, nil
}

// noticeMsg says that an attempt of a job is starting, or failed and is
// retried after Delay.
type noticeMsg struct {
	Seq      int           `json:"seq"`
	Attempt  int           `json:"attempt"`
	Retrying bool          `json:"retrying,omitempty"`
	Failure  string        `json:"failure,omitempty"`
	Delay    time.Duration `json:"delay_ns,omitempty"`
	Worker   string        `json:"worker"`
}
