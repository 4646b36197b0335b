package jobspec

import (
	"bufio"
	"errors"
	"io"
)

// errTooLarge marks a record that went over the size limit. The record has
// been consumed and discarded; the reader stands at the next record.
var errTooLarge = errors.New("record is larger than the record size limit")

// lineReader reads lines of at most max bytes. A longer line is refused
// with errTooLarge as soon as it passes the limit, without being read to
// its end: a stream that never sends a newline (/dev/zero) is refused at
// once. The next call skips the rest of it first. With nul set, records
// end with a NUL byte instead (-0), and line counts them. A UTF-8 byte
// order mark that starts the first line is dropped.
type lineReader struct {
	r        *bufio.Reader
	max      int
	line     int // number of the line last returned
	buf      []byte
	nul      bool
	skipping bool // the rest of a line refused as too large is still to be read
	started  bool // a line has been read: a byte order mark is no longer dropped
}

// next returns the next line without its line ending ("\n" or "\r\n") and
// its line number. It returns io.EOF when no line is left.
func (l *lineReader) next() ([]byte, int, error) {
	if err := l.skipRest(); err != nil {
		return nil, l.line + 1, err
	}
	l.dropBOM()
	l.buf = l.buf[:0]
	for {
		chunk, err := l.r.ReadSlice(l.end())
		if len(l.buf)+len(chunk) > l.max+2 { // +2: the line ending does not count
			l.line++
			l.buf = l.buf[:0]
			l.skipping = err == bufio.ErrBufferFull
			return nil, l.line, errTooLarge
		}
		l.buf = append(l.buf, chunk...)
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(chunk) == 0 && len(l.buf) == 0:
			return nil, l.line, io.EOF
		case err != nil && err != io.EOF:
			return nil, l.line + 1, err
		}
		l.line++
		line := l.trim(l.buf)
		if len(line) > l.max {
			return nil, l.line, errTooLarge
		}
		return line, l.line, nil
	}
}

// skipRest reads, and drops, the rest of a line refused as too large.
func (l *lineReader) skipRest() error {
	for l.skipping {
		_, err := l.r.ReadSlice(l.end())
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil && err != io.EOF:
			return err
		}
		l.skipping = false
	}
	return nil
}

// dropBOM drops a UTF-8 byte order mark at the start of the input, which
// would otherwise start the first command (lines are not JSON, whose
// reader drops it when it detects the format).
func (l *lineReader) dropBOM() {
	if l.started {
		return
	}
	l.started = true
	if bom, err := l.r.Peek(3); err == nil && string(bom) == "\ufeff" && !l.nul {
		_, _ = l.r.Discard(3)
	}
}

func (l *lineReader) end() byte {
	if l.nul {
		return 0
	}
	return '\n'
}

func (l *lineReader) trim(b []byte) []byte {
	if !l.nul {
		return trimEOL(b)
	}
	if n := len(b); n > 0 && b[n-1] == 0 {
		return b[:n-1]
	}
	return b
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}
