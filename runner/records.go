package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/drover/drover/jobspec"
)

// Record is one line of a results file.
type Record struct {
	ID         string  `json:"id"`
	Record     string  `json:"record"`
	Status     Status  `json:"status"`
	ExitCode   *int    `json:"exit_code"`
	Signal     *string `json:"signal"`
	Attempts   int     `json:"attempts"`
	Requeued   int     `json:"requeued,omitempty"`
	StartedAt  string  `json:"started_at"`
	FinishedAt string  `json:"finished_at"`
	DurationMS int64   `json:"duration_ms"`
	Error      *string `json:"error"`
	// BlockedBy is, for a dep_failed job, the id of the failed job at the
	// root of the chain that kept it from running.
	BlockedBy string `json:"blocked_by,omitempty"`
	// Needs are the ids of the jobs this one needed; absent when none.
	Needs []string `json:"needs,omitempty"`
	// MaxRSSBytes, UserMS and SysMS are the job's Usage, over all its
	// attempts; 0 for a job that did not run.
	MaxRSSBytes int64 `json:"max_rss_bytes"`
	UserMS      int64 `json:"user_ms"`
	SysMS       int64 `json:"sys_ms"`
	// Run is the id of the fleet run that ran the job (drover run --nats);
	// Shard is the run's --shard, as "K/N", and ShardMethod how the job
	// was given to it: "hash" (its id's hash) or "balance" (--balance-by).
	Run         string `json:"run,omitempty"`
	Shard       string `json:"shard,omitempty"`
	ShardMethod string `json:"shard_method,omitempty"`
	StdoutFile  string `json:"stdout_file,omitempty"`
	StderrFile  string `json:"stderr_file,omitempty"`
	// Cmd is the job's command as its input gave it: a string or an array.
	Cmd json.RawMessage `json:"cmd,omitempty"`
	// Args are the values a command template filled in (jobspec.Job.Args).
	Args []string `json:"args,omitempty"`
	// Slot and Worker say what ran the job (see Result); absent when
	// unknown.
	Slot   int    `json:"slot,omitempty"`
	Worker string `json:"worker,omitempty"`
}

// NewRecord turns a Result into its results-file record.
func NewRecord(res *Result) Record {
	rec := Record{
		ID:          res.Job.ID,
		Record:      res.Job.Record.String(),
		Status:      res.Status,
		ExitCode:    res.ExitCode,
		Attempts:    res.Attempts,
		Requeued:    res.Requeued,
		StartedAt:   res.StartedAt.UTC().Format(time.RFC3339Nano),
		FinishedAt:  res.FinishedAt.UTC().Format(time.RFC3339Nano),
		DurationMS:  res.FinishedAt.Sub(res.StartedAt).Milliseconds(),
		Cmd:         commandJSON(res.Job),
		Args:        res.Job.Args,
		Slot:        res.Slot,
		Worker:      res.Worker,
		MaxRSSBytes: res.Usage.MaxRSS,
		UserMS:      res.Usage.User.Milliseconds(),
		SysMS:       res.Usage.Sys.Milliseconds(),
		BlockedBy:   res.BlockedBy,
		Needs:       needIDs(res.Job),
	}
	if res.Signal != "" {
		rec.Signal = &res.Signal
	}
	if res.Err != nil {
		msg := res.Err.Error()
		rec.Error = &msg
	}
	return rec
}

// needIDs are the ids of a job's needs, or nil.
func needIDs(job *jobspec.Job) []string {
	if len(job.Needs) == 0 {
		return nil
	}
	ids := make([]string, len(job.Needs))
	for i, n := range job.Needs {
		ids[i] = n.ID
	}
	return ids
}

// Usage is the job's usage as the record gives it, to the millisecond.
func (rec *Record) Usage() Usage {
	return Usage{MaxRSS: rec.MaxRSSBytes, User: time.Duration(rec.UserMS) * time.Millisecond, Sys: time.Duration(rec.SysMS) * time.Millisecond}
}

// commandJSON is a job's command as its input gave it.
func commandJSON(job *jobspec.Job) json.RawMessage {
	var cmd any = job.Argv
	if job.Shell && len(job.Argv) == 1 {
		cmd = job.Argv[0]
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if len(job.Argv) == 0 || enc.Encode(cmd) != nil {
		return nil
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// ResultsFile appends records to a results file, one JSON object a line,
// each written with a single write call, so that a crash loses at most
// the line being written. The file is locked while it is open: no other
// drover writes to it meanwhile. Write is called by one goroutine at a
// time.
type ResultsFile struct {
	f   *os.File
	buf bytes.Buffer
}

// ErrResultsLocked is the error of OpenResults for a results file that
// another drover has open.
var ErrResultsLocked = errors.New("locked by another drover that is using it (two runs on one results file would both run every job)")

// OpenResults opens (creating it if need be) a results file for appending,
// and locks it (flock) until Close: a second drover that opens it meanwhile
// gets ErrResultsLocked at once. A last line cut short by a crash is ended
// first, so that the next record starts on a line of its own.
func OpenResults(path string) (*ResultsFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	return &ResultsFile{f: f}, nil
}

// lockFile takes an exclusive lock on a regular file f without waiting
// for it. Other files (a pipe, /dev/stdout) are not locked.
func lockFile(f *os.File) error {
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) {
		for {
			lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if lerr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	switch {
	case errors.Is(lerr, syscall.EWOULDBLOCK):
		return &os.PathError{Op: "lock", Path: f.Name(), Err: ErrResultsLocked}
	case lerr != nil:
		return &os.PathError{Op: "lock", Path: f.Name(), Err: lerr}
	}
	return nil
}

// Write appends the record of res.
func (w *ResultsFile) Write(rec Record) error {
	w.buf.Reset()
	enc := json.NewEncoder(&w.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil { // Encode ends the line
		return err
	}
	_, err := w.f.Write(w.buf.Bytes())
	return err
}

// Close closes the file.
func (w *ResultsFile) Close() error { return w.f.Close() }
