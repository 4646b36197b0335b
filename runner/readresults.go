package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/drover/drover/jobspec"
)

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
// short by a crash, wherever they are. A line that is not a record, or a
// record whose status is not one of drover's, is an error naming it
// (name:line), as is an error from fn.
func ScanRecords(r io.Reader, name string, fn func(line int, rec *Record) error) (cut []int, err error) {
	return scanRecordLines(r, name, 0, fn)
}

// scanRecordLines is ScanRecords with the limit on a line set by the
// run's --max-record-size (0: the default).
func scanRecordLines(r io.Reader, name string, maxRecordSize int, fn func(line int, rec *Record) error) (cut []int, err error) {
	cuts, err := scanRecords(r, name, MaxRecordLine(maxRecordSize), fn)
	for _, c := range cuts {
		cut = append(cut, c.Line)
	}
	return cut, err
}

// CutRecord is a line of a results file that a crash cut short: the
// beginning of a record, without its end.
type CutRecord struct {
	Line int
	ID   string // the job's id, when the line got that far; else ""
	Last bool   // the last line of the file
}

// ScanResults is ScanRecords with what it knows of each line cut short:
// the job's id, when readable, and whether it was the file's last line.
// A caller that cannot accept a record cut short in the middle of a file
// decides with that.
func ScanResults(r io.Reader, name string, fn func(line int, rec *Record) error) ([]CutRecord, error) {
	return scanRecords(r, name, MaxRecordLine(0), fn)
}

// MaxRecordLine is the longest line a results file may have, for a run
// whose --max-record-size is maxRecordSize (0: the default): room for a
// job's record when its command, as long as a record may be, has every
// byte escaped (six bytes each), and 64 KiB for the other fields. A line
// longer than that is not a record drover wrote, and reading it stops
// there, so that memory stays bounded.
func MaxRecordLine(maxRecordSize int) int {
	if maxRecordSize <= 0 {
		maxRecordSize = jobspec.DefaultMaxRecordSize
	}
	return 6*maxRecordSize + 64<<10
}

// recordLines reads the lines of a results file, each at most max bytes.
type recordLines struct {
	br  *bufio.Reader
	max int
	buf []byte
}

// next returns the next line, with its newline when it has one, io.EOF
// with the last line (which may be empty), or errLineTooLong.
func (l *recordLines) next() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		if len(l.buf)+len(chunk) > l.max {
			return nil, errLineTooLong
		}
		l.buf = append(l.buf, chunk...)
		if err != bufio.ErrBufferFull {
			return l.buf, err
		}
	}
}

var errLineTooLong = errors.New("line too long")

func scanRecords(r io.Reader, name string, max int, fn func(line int, rec *Record) error) (cut []CutRecord, err error) {
	err = scanLines(r, name, max, func(line int, trimmed []byte) error {
		if n := len(cut); n > 0 {
			cut[n-1].Last = false // a line follows it
		}
		var rec Record
		jerr := json.Unmarshal(trimmed, &rec)
		switch {
		case jerr == nil && rec.ID != "" && rec.Status.valid():
			return fn(line, &rec)
		case jerr == nil && rec.ID != "":
			return fmt.Errorf("job %s: unknown status %q (want one of %s)", rec.ID, rec.Status, statusList)
		case bytes.HasPrefix(trimmed, recordPrefix) && cutShort(jerr):
			// A crash cut it short; when it is not the last line, a later
			// run ended the line and appended after it.
			cut = append(cut, CutRecord{Line: line, ID: cutID(trimmed), Last: true})
			return nil
		}
		return errors.New("not a results record")
	})
	if err != nil {
		return nil, err
	}
	return cut, nil
}

// scanLines reads the lines of a results file from r, each at most max
// bytes, and calls fn with each that is not blank, trimmed, and its
// number; the slice is fn's only during the call. An error, from reading
// or from fn, and a line longer than max, are returned naming the line
// (name:line).
func scanLines(r io.Reader, name string, max int, fn func(line int, trimmed []byte) error) error {
	lines := &recordLines{br: bufio.NewReader(r), max: max}
	for line := 1; ; line++ {
		b, err := lines.next()
		if err == errLineTooLong {
			return fmt.Errorf("%s:%d: not a results record: the line is longer than %s, the most a record can take", name, line, jobspec.FormatSize(max))
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 {
			if ferr := fn(line, trimmed); ferr != nil {
				return fmt.Errorf("%s:%d: %w", name, line, ferr)
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// cutShort tells whether a decoding error says that the input ended
// before the JSON value did.
func cutShort(err error) bool {
	var syn *json.SyntaxError
	return err != nil && (errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end of JSON input")))
}

// cutID reads the job's id from the beginning of a record cut short, or "".
func cutID(line []byte) string {
	dec := json.NewDecoder(bytes.NewReader(line[len(recordPrefix):]))
	var id string
	if dec.Decode(&id) != nil {
		return ""
	}
	return id
}

var statusList = strings.Join([]string{string(Succeeded), string(Failed), string(TimedOut), string(Canceled), string(Skipped), string(DepFailed), string(NotNeeded)}, ", ")

func (s Status) valid() bool {
	switch s {
	case Succeeded, Failed, TimedOut, Canceled, Skipped, DepFailed, NotNeeded:
		return true
	}
	return false
}
