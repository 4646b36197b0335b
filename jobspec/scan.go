package jobspec

import (
	"bufio"
	"errors"
	"io"
)

// errTooLarge marks a record that went over the size limit. The record has
// been consumed and discarded; the reader stands at the next record.
var errTooLarge = errors.New("record is larger than the record size limit")

// lineReader reads lines of at most max bytes. A longer line is consumed
// without being held whole and reported as errTooLarge. With nul set,
// records end with a NUL byte instead (-0), and line counts them.
type lineReader struct {
	r    *bufio.Reader
	max  int
	line int // number of the line last returned
	buf  []byte
	nul  bool
}

// next returns the next line without its line ending ("\n" or "\r\n") and
// its line number. It returns io.EOF when no line is left.
func (l *lineReader) next() ([]byte, int, error) {
	l.buf = l.buf[:0]
	tooLarge := false
	for {
		chunk, err := l.r.ReadSlice(l.end())
		if !tooLarge {
			if len(l.buf)+len(chunk) > l.max+2 { // +2: the line ending does not count
				tooLarge = true
				l.buf = l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(chunk) == 0 && len(l.buf) == 0 && !tooLarge:
			return nil, l.line, io.EOF
		case err != nil && err != io.EOF:
			return nil, l.line + 1, err
		}
		l.line++
		line := l.trim(l.buf)
		if tooLarge || len(line) > l.max {
			return nil, l.line, errTooLarge
		}
		return line, l.line, nil
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
type arrayReader struct {
	r       *bufio.Reader
	max     int
	line    int // current line, 1-based
	started bool
	ended   bool
	buf     []byte
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
// closing bracket, errTooLarge for an element over the limit (consumed), or
// a *syntaxError.
func (a *arrayReader) next() ([]byte, int, error) {
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

// element reads one element starting with first into a.buf.
func (a *arrayReader) element(first byte) error {
	a.buf = append(a.buf[:0], first)
	tooLarge := false
	keep := func(c byte) {
		if tooLarge {
			return
		}
		if len(a.buf) >= a.max {
			tooLarge = true
			a.buf = a.buf[:0]
			return
		}
		a.buf = append(a.buf, c)
	}
	depth := 0
	inString := first == '"'
	escaped := false
	switch first {
	case '{', '[':
		depth = 1
	case '"':
	default:
		// A scalar: it runs to the next delimiter.
		for {
			c, err := a.readByte()
			if err != nil {
				return err
			}
			if c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				a.unread(c)
				break
			}
			keep(c)
		}
		if tooLarge {
			return errTooLarge
		}
		return nil
	}
	for depth > 0 || inString {
		c, err := a.readByte()
		if err != nil {
			return err
		}
		keep(c)
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	if tooLarge {
		return errTooLarge
	}
	return nil
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte 0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
}
