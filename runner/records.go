package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
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
	StdoutFile string  `json:"stdout_file,omitempty"`
	StderrFile string  `json:"stderr_file,omitempty"`
}

// NewRecord turns a Result into its results-file record.
func NewRecord(res *Result) Record {
	rec := Record{
		ID:         res.Job.ID,
		Record:     res.Job.Record.String(),
		Status:     res.Status,
		ExitCode:   res.ExitCode,
		Attempts:   res.Attempts,
		Requeued:   res.Requeued,
		StartedAt:  res.StartedAt.UTC().Format(time.RFC3339Nano),
		FinishedAt: res.FinishedAt.UTC().Format(time.RFC3339Nano),
		DurationMS: res.FinishedAt.Sub(res.StartedAt).Milliseconds(),
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

// ResultsFile appends records to a results file, one JSON object a line,
// each written with a single write call and so never interleaved with
// another writer's, even another drover's appending to the same file.
// Write is called by one goroutine at a time.
type ResultsFile struct {
	f   *os.File
	buf bytes.Buffer
}

// OpenResults opens (creating it if need be) a results file for appending.
// A last line cut short by a crash is ended first, so that the next record
// starts on a line of its own.
func OpenResults(path string) (*ResultsFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
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

// recordPrefix starts every line drover writes to a results file.
var recordPrefix = []byte(`{"id":`)

// ReadSucceeded returns the ids that have a succeeded record in a results
// file, and the numbers of the lines it skipped as records cut short by a
// crash. A missing file has no records. A line that is not a record at all
// is an error naming it.
func ReadSucceeded(path string) (ids map[string]bool, cut []int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	ids = map[string]bool{}
	cut, err = ScanRecords(f, path, func(_ int, rec *Record) error {
		if rec.Status == Succeeded {
			ids[rec.ID] = true
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ids, cut, nil
}

// ScanRecords reads the records of a results file from r, in order, and
// calls fn with each and its line number; name is the file's name in
// messages. It returns the numbers of the lines it skipped as records cut
// short by a crash. A line that is not a record is an error naming it
// (name:line), as is an error from fn.
func ScanRecords(r io.Reader, name string, fn func(line int, rec *Record) error) (cut []int, err error) {
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 {
			var rec Record
			switch jerr := json.Unmarshal(trimmed, &rec); {
			case jerr == nil && rec.ID != "" && rec.Status.valid():
				if ferr := fn(line, &rec); ferr != nil {
					return nil, fmt.Errorf("%s:%d: %w", name, line, ferr)
				}
			case bytes.HasPrefix(trimmed, recordPrefix):
				// A crash cut it short; a later run ended the line and
				// appended after it.
				cut = append(cut, line)
			default:
				return nil, fmt.Errorf("%s:%d: not a results record", name, line)
			}
		}
		if err == io.EOF {
			return cut, nil
		}
	}
}

func (s Status) valid() bool {
	switch s {
	case Succeeded, Failed, TimedOut, Canceled, Skipped:
		return true
	}
	return false
}
