package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
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
	// Cmd is the job's command as its input gave it (a string for the
	// shell, or an array), which the worker sends back with the result
	// for the records of drover wait.
	Cmd json.RawMessage `json:"cmd,omitempty"`
}

func newJobMsg(run string, job *jobspec.Job, timeout time.Duration, retries int, shell string) jobMsg {
	m := jobMsg{Run: run, Seq: job.Seq, ID: job.ID, Record: job.Record, Argv: job.Argv, Env: job.Env,
		Dir: job.Dir, Timeout: timeout, Retries: retries, RetryOn: job.RetryOn, Stdin: job.Stdin, Cmd: commandOf(job)}
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

// jobFields are the fields of a job message.
var jobFields = fieldsOf(reflect.TypeFor[jobMsg]())

// decodeJob decodes and checks a job message that arrived on subject.
// It returns a nil message when the message cannot even be answered (no
// run id, sequence number or job id to answer with, or a subject not of
// its run), and the message with an error when it can be answered but
// must not run.
func decodeJob(data []byte, subject string, names Names) (*jobMsg, error) {
	var m jobMsg
	if err := decodeStrict(data, jobFields, &m); err != nil {
		return nil, err
	}
	if err := CheckRunID(m.Run); err != nil {
		return nil, err
	}
	if want := names.jobs(m.Run); subject != want {
		return nil, fmt.Errorf("a job of run %s on the subject %s, not %s", m.Run, shortened(subject), want)
	}
	if m.Seq < 1 {
		return nil, fmt.Errorf("sequence number %d: must be at least 1", m.Seq)
	}
	if err := jobspec.ValidateID(m.ID); err != nil {
		return nil, fmt.Errorf("job id %w", err)
	}
	if err := m.check(); err != nil {
		return &m, err
	}
	return &m, nil
}

// commandOf is the command of job as its input gave it.
func commandOf(job *jobspec.Job) json.RawMessage {
	var cmd any = job.Argv
	if job.Shell && len(job.Argv) == 1 {
		cmd = job.Argv[0]
	}
	b, _ := json.Marshal(cmd)
	return b
}

// jobOfCommand is a job with the command cmd (from commandOf; nil: none)
// as its input gave it.
func jobOfCommand(cmd json.RawMessage) (*jobspec.Job, error) {
	job := &jobspec.Job{}
	if len(cmd) == 0 {
		return job, nil
	}
	var shell string
	if err := json.Unmarshal(cmd, &shell); err == nil {
		job.Argv, job.Shell = []string{shell}, true
		return job, nil
	}
	if err := json.Unmarshal(cmd, &job.Argv); err != nil {
		return nil, errors.New("cmd: neither a string nor an array of strings")
	}
	return job, nil
}

// check applies to a job message the rules jobspec applies to a job.
func (m *jobMsg) check() error {
	if _, err := jobOfCommand(m.Cmd); err != nil {
		return err
	}
	switch {
	case len(m.Argv) == 0:
		return errors.New("argv: no command")
	case m.Argv[0] == "":
		return errors.New("argv: the program name (element 0) is empty")
	case m.Timeout < 0:
		return fmt.Errorf("timeout_ns: must not be negative, got %d", m.Timeout)
	case m.Retries < 0 || m.Retries > jobspec.MaxRetries:
		return fmt.Errorf("retries: must be from 0 to %d, got %d", jobspec.MaxRetries, m.Retries)
	case m.Record.Line < 0 || strings.IndexByte(m.Record.File, 0) >= 0:
		return errors.New("record: not a position")
	case strings.IndexByte(m.Dir, 0) >= 0:
		return errors.New("dir: contains a NUL byte")
	}
	for i, a := range m.Argv {
		if strings.IndexByte(a, 0) >= 0 {
			return fmt.Errorf("argv: element %d contains a NUL byte", i)
		}
	}
	seen := make(map[string]bool, len(m.Env))
	for _, v := range m.Env {
		switch {
		case v.Key == "" || strings.ContainsAny(v.Key, "=\x00"):
			return fmt.Errorf("env: %q is not a variable name", shortened(v.Key))
		case seen[v.Key]:
			return fmt.Errorf("env: variable %q is given twice", v.Key)
		case strings.IndexByte(v.Value, 0) >= 0:
			return fmt.Errorf("env: the value of variable %q contains a NUL byte", v.Key)
		}
		seen[v.Key] = true
	}
	if m.RetryOn != nil {
		for _, c := range m.RetryOn.ExitCodes {
			if c < 1 || c > 255 {
				return fmt.Errorf("retry_on: exit code %d is not from 1 to 255", c)
			}
		}
	}
	return nil
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
	// Cmd is the job message's, sent back (none when the message had none).
	Cmd json.RawMessage `json:"cmd,omitempty"`
	// MaxRSS, User and Sys are the job's runner.Usage on the worker.
	MaxRSS int64         `json:"max_rss_bytes,omitempty"`
	User   time.Duration `json:"user_ns,omitempty"`
	Sys    time.Duration `json:"sys_ns,omitempty"`
}

// resultFields are the fields of a result message.
var resultFields = fieldsOf(reflect.TypeFor[resultMsg]())

// maxWorkerName bounds the worker's name in a result or a notice.
const maxWorkerName = 256

// decodeResult decodes and checks a result message.
func decodeResult(data []byte) (*resultMsg, error) {
	var m resultMsg
	if err := decodeStrict(data, resultFields, &m); err != nil {
		return nil, err
	}
	switch m.Status {
	case runner.Succeeded, runner.Failed, runner.TimedOut, runner.Canceled, notStarted:
	default:
		return nil, fmt.Errorf("unknown status %q", shortened(string(m.Status)))
	}
	switch {
	case CheckRunID(m.Run) != nil:
		return nil, CheckRunID(m.Run)
	case m.Seq < 1:
		return nil, fmt.Errorf("sequence number %d: must be at least 1", m.Seq)
	case m.Attempts < 0 || m.Attempts > jobspec.MaxRetries+1:
		return nil, fmt.Errorf("attempts: %d is out of range", m.Attempts)
	case m.ExitCode != nil && (*m.ExitCode < 0 || *m.ExitCode > 255):
		return nil, fmt.Errorf("exit code %d is out of range", *m.ExitCode)
	case m.StdoutDropped < 0 || m.StderrDropped < 0 || m.MaxRSS < 0:
		return nil, errors.New("negative byte counts")
	case m.User < 0 || m.Sys < 0:
		return nil, errors.New("negative CPU times")
	case len(m.Worker) > maxWorkerName:
		return nil, errors.New("worker name too long")
	}
	if _, err := jobOfCommand(m.Cmd); err != nil {
		return nil, err
	}
	return &m, nil
}

// noticeFields are the fields of a notice.
var noticeFields = fieldsOf(reflect.TypeFor[noticeMsg]())

// decodeNotice decodes and checks a notice.
func decodeNotice(data []byte) (*noticeMsg, error) {
	var n noticeMsg
	if err := decodeStrict(data, noticeFields, &n); err != nil {
		return nil, err
	}
	if n.Seq < 1 || n.Attempt < 1 || n.Attempt > jobspec.MaxRetries+1 || n.Delay < 0 || len(n.Worker) > maxWorkerName {
		return nil, errors.New("a field is out of range")
	}
	return &n, nil
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
