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

// arrayReader reads the elements of one JSON array, one element at a time,
// without decoding them: it finds each element's extent by its brackets and
// strings, so a syntax error inside an element spoils only that element.
// An element over the limit is refused as soon as it passes it; the next
// call skips the rest of it first.
type arrayReader struct {
	r       *bufio.Reader
	max     int
	line    int // current line, 1-based
	started bool
	ended   bool
	buf     []byte
	elem    elementScan
}

// elementScan is where the scan of one element stands.
type elementScan struct {
	active   bool // the element has not ended yet
	scalar   bool // a number or a literal, which runs to the next delimiter
	depth    int
	inString bool
	escaped  bool
}

// syntaxError is a fault of the array's structure; reading cannot go on.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

func (a *arrayReader) readByte() (byte, error) {
	c, err := a.r.ReadByte()
	if err == nil && c == '\n' {
		a.line++
	}
	return c, err
}

func (a *arrayReader) unread(c byte) {
	_ = a.r.UnreadByte()
	if c == '\n' {
		a.line--
	}
}

// skipSpace returns the next byte that is not JSON white space.
func (a *arrayReader) skipSpace() (byte, error) {
	for {
		c, err := a.readByte()
		if err != nil {
			return 0, err
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c, nil
		}
	}
}

func (a *arrayReader) eofError(err error, what string) error {
	if err == io.EOF {
		return &syntaxError{a.line, "unexpected end of input " + what}
	}
	return err
}

// next returns the next element and the line it starts on, io.EOF after the
// closing bracket, errTooLarge for an element over the limit, or a
// *syntaxError.
func (a *arrayReader) next() ([]byte, int, error) {
	if a.elem.active { // the rest of an element refused as too large
		if err := a.scan(false); err != nil {
			return nil, a.line, a.eofError(err, "inside the record that starts on this line")
		}
	}
	if a.ended {
		return nil, a.line, io.EOF
	}
	c, err := a.skipSpace()
	if err != nil {
		return nil, a.line, a.eofError(err, "in the JSON array (missing ']')")
	}
	if !a.started {
		a.started = true
		if c != '[' {
			return nil, a.line, &syntaxError{a.line, "the input does not start with '['"}
		}
		if c, err = a.skipSpace(); err != nil {
			return nil, a.line, a.eofError(err, "in the JSON array (missing ']')")
		}
		if c == ']' {
			return nil, a.line, a.end()
		}
	} else {
		switch c {
		case ']':
			return nil, a.line, a.end()
		case ',':
			if c, err = a.skipSpace(); err != nil {
				return nil, a.line, a.eofError(err, "after ','")
			}
		default:
			return nil, a.line, &syntaxError{a.line, "expected ',' or ']' after an array element, found " + quoteByte(c)}
		}
	}
	if c == ']' || c == ',' {
		return nil, a.line, &syntaxError{a.line, "expected an array element, found " + quoteByte(c)}
	}
	start := a.line
	err = a.element(c)
	if err == errTooLarge {
		return nil, start, err
	}
	if err != nil {
		return nil, start, a.eofError(err, "inside the record that starts on this line")
	}
	return a.buf, start, nil
}

// end checks that nothing but white space follows the closing bracket.
func (a *arrayReader) end() error {
	a.ended = true
	c, err := a.skipSpace()
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return err
	}
	return &syntaxError{a.line, "unexpected " + quoteByte(c) + " after the end of the JSON array"}
}

// element reads one element starting with first into a.buf. It stops
// with errTooLarge as soon as the element passes the limit.
func (a *arrayReader) element(first byte) error {
	a.buf = append(a.buf[:0], first)
	a.elem = elementScan{active: true, inString: first == '"'}
	switch first {
	case '{', '[':
		a.elem.depth = 1
	case '"':
	default:
		a.elem.scalar = true
	}
	return a.scan(true)
}

// scan reads the element being read to its end, keeping it in a.buf when
// keep is set. Past the limit it returns errTooLarge, the element still
// active.
func (a *arrayReader) scan(keep bool) error {
	e := &a.elem
	for e.active {
		c, err := a.readByte()
		if err != nil {
			return err
		}
		if e.scalar && (c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			a.unread(c)
			e.active = false
			break
		}
		if keep {
			if len(a.buf) >= a.max {
				return errTooLarge
			}
			a.buf = append(a.buf, c)
		}
		if !e.scalar {
			e.step(c)
		}
	}
	return nil
}

// step follows one byte of a string, an object or an array.
func (e *elementScan) step(c byte) {
	switch {
	case e.inString:
		switch {
		case e.escaped:
			e.escaped = false
		case c == '\\':
			e.escaped = true
		case c == '"':
			e.inString = false
		}
	case c == '"':
		e.inString = true
	case c == '{' || c == '[':
		e.depth++
	case c == '}' || c == ']':
		e.depth--
	}
	e.active = e.depth > 0 || e.inString
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte 0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
}
