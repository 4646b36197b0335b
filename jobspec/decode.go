package jobspec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// Format is the shape of the input.
type Format string

// The input formats drover reads.
const (
	FormatAuto   Format = "auto"
	FormatJSON   Format = "json"
	FormatNDJSON Format = "ndjson"
	FormatLines  Format = "lines"
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatAuto, FormatJSON, FormatNDJSON, FormatLines:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want auto, json, ndjson or lines)", s)
}

// DefaultMaxRecordSize is the default limit on one record's size.
const DefaultMaxRecordSize = 1 << 20

// Options configure a Decoder.
type Options struct {
	Format Format
	// MaxRecordSize limits one record in bytes; 0 means DefaultMaxRecordSize.
	MaxRecordSize int
	// Template, when set, builds every job from an item of the input (or a
	// record, or the inline lists alone) instead of reading job objects.
	Template *JobTemplate
}

// Decoder reads jobs from one input, one record at a time: it never holds
// more than one record (at most MaxRecordSize bytes) of the input. A Decoder
// is not safe for concurrent use.
type Decoder struct {
	name   string
	opts   Options
	br     *bufio.Reader
	format Format // resolved on the first call to Next
	lines  *lineReader
	array  *arrayReader
	items  *itemSource // set when opts.Template builds the jobs
	seq    int
	ids    *idSet
	fatal  error
	// skippedLines counts the lines of white space dropped while detecting
	// the format.
	skippedLines int
}

// NewDecoder returns a Decoder reading r, which is named name ("<stdin>" or
// a file name) in every message. r may be nil when opts.Template takes its
// items from inline lists alone.
func NewDecoder(r io.Reader, name string, opts Options) *Decoder {
	if opts.Format == "" {
		opts.Format = FormatAuto
	}
	if opts.MaxRecordSize <= 0 {
		opts.MaxRecordSize = DefaultMaxRecordSize
	}
	d := &Decoder{name: name, opts: opts, br: bufio.NewReaderSize(r, 64<<10), ids: newIDSet()}
	if opts.Template != nil {
		d.items = newItemSource(opts.Template)
	}
	return d
}

// Close releases what the decoder holds to check ids. The Decoder must not
// be used after it.
func (d *Decoder) Close() {
	d.ids.close()
}

// Format returns the input's format, once the first call to Next has
// detected it.
func (d *Decoder) Format() Format { return d.format }

// Next returns the next job. It returns io.EOF at the end of the input, a
// *RecordError for a bad record (the next call goes on with the record after
// it), or an *InputError when the input cannot be read any further.
func (d *Decoder) Next() (*Job, error) {
	if d.items != nil {
		return d.nextTemplated()
	}
	if d.fatal != nil {
		return nil, d.fatal
	}
	if d.format == "" {
		if err := d.detect(); err != nil {
			return nil, d.fail(1, err)
		}
	}
	for {
		rec, line, err := d.readRecord()
		if err != nil {
			return nil, err
		}
		if d.format != FormatJSON && isBlank(rec) {
			continue
		}
		if d.format == FormatLines && bytes.HasPrefix(bytes.TrimLeft(rec, " \t"), []byte("#")) {
			continue
		}
		d.seq++
		job, err := d.parse(rec, line)
		if err != nil {
			return nil, d.recordError(line, err)
		}
		if err := d.claimID(job, line); err != nil {
			return nil, d.recordError(line, err)
		}
		if err := d.resolveNeeds(job); err != nil {
			return nil, d.recordError(line, err)
		}
		return job, nil
	}
}

// readRecord reads the next element of a JSON array, or the next line, and
// makes a fault of reading the error Next returns for it.
func (d *Decoder) readRecord() ([]byte, int, error) {
	var (
		rec  []byte
		line int
		err  error
	)
	if d.array != nil {
		rec, line, err = d.array.next()
	} else {
		rec, line, err = d.lines.next()
	}
	switch {
	case err == nil, err == io.EOF:
		return rec, line, err
	case err == errTooLarge:
		d.seq++
		return nil, line, d.recordError(line, fmt.Errorf("record is larger than --max-record-size (%s)", FormatSize(d.opts.MaxRecordSize)))
	}
	// Declared only here: errors.As moves se to the heap.
	var se *syntaxError
	if errors.As(err, &se) {
		return nil, se.line, d.fail(se.line, se)
	}
	return nil, line, d.fail(line, fmt.Errorf("reading input: %w", err))
}

func (d *Decoder) parse(rec []byte, line int) (*Job, error) {
	if !utf8.Valid(rec) {
		return nil, errors.New("record is not valid UTF-8")
	}
	pos := Position{File: d.name, Line: line}
	if d.format == FormatLines {
		return parseLine(rec, pos, d.seq)
	}
	job, err := parseObject(rec, pos)
	if err != nil {
		var at interface{ Offset() int }
		if errors.As(err, &at) && at.Offset() > 0 {
			// Point at the line of the fault inside a record of many lines.
			return nil, &lineShift{bytes.Count(rec[:min(at.Offset(), len(rec))], []byte("\n")), err}
		}
		return nil, err
	}
	job.Seq = d.seq
	return job, nil
}

// claimID gives a job without an id its default one (the record number;
// the line number in lines format) and makes sure no other record of the
// input has its id.
func (d *Decoder) claimID(job *Job, line int) error {
	var taken int
	var dup bool
	if job.ID == "" {
		n := d.seq
		if d.format == FormatLines {
			n = line
		}
		job.ID = strconv.Itoa(n)
		taken, dup = d.ids.addDefault(n)
	} else {
		taken, dup = d.ids.addGiven(job.ID, line, job.Seq)
	}
	switch {
	case !dup:
		return nil
	case taken < 0:
		return fmt.Errorf("id %q is already the id of record %d, which has no id of its own", job.ID, -taken)
	}
	return fmt.Errorf("id %q is already used by the record on line %d", job.ID, taken)
}

// lineShift carries how many lines past a record's first line its fault is.
type lineShift struct {
	lines int
	err   error
}

func (e *lineShift) Error() string { return e.err.Error() }
func (e *lineShift) Unwrap() error { return e.err }

func (d *Decoder) recordError(line int, err error) error {
	var ls *lineShift
	if errors.As(err, &ls) {
		line += ls.lines
		err = ls.err
	}
	return &RecordError{Pos: Position{File: d.name, Line: line}, Err: err}
}

func (d *Decoder) fail(line int, err error) error {
	d.fatal = &InputError{Pos: Position{File: d.name, Line: line}, Err: err}
	return d.fatal
}

// detect resolves the format, looking at the first byte that is not white
// space when the format is auto.
func (d *Decoder) detect() error {
	d.format = d.opts.Format
	if d.format == FormatAuto {
		first, err := d.firstByte()
		switch {
		case err == io.EOF:
			d.format = FormatNDJSON // empty input: zero jobs
		case err != nil:
			return fmt.Errorf("reading input: %w", err)
		case first == '[':
			d.format = FormatJSON
		case first == '{':
			d.format = FormatNDJSON
		default:
			return fmt.Errorf("cannot tell the input format: it starts with %s, not '[' (a JSON array) or '{' (NDJSON); use --format lines for one shell command per line", quoteByte(first))
		}
	}
	if d.format == FormatJSON {
		_, err := d.firstByte()
		d.array = &arrayReader{r: d.br, max: d.opts.MaxRecordSize, line: 1 + d.skippedLines}
		d.array.ended = err == io.EOF // empty input: zero jobs
	} else {
		d.lines = &lineReader{r: d.br, max: d.opts.MaxRecordSize, line: d.skippedLines}
	}
	return nil
}

// firstByte peeks past white space (and a byte order mark) without
// consuming anything but a byte order mark.
func (d *Decoder) firstByte() (byte, error) {
	if bom, err := d.br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = d.br.Discard(3)
	}
	for n := 1; ; n++ {
		b, err := d.br.Peek(n)
		if len(b) < n {
			if err == nil || err == bufio.ErrBufferFull {
				err = io.EOF
			}
			return 0, err
		}
		if c := b[n-1]; !isSpace(c) {
			return c, nil
		}
		if n == d.br.Size() {
			// A buffer full of white space: drop it, counting its lines.
			d.skippedLines += bytes.Count(b, []byte("\n"))
			_, _ = d.br.Discard(n)
			n = 0
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// FormatSize writes a byte count the way --max-record-size takes it.
func FormatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
