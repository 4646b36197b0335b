package jobspec

import (
	"bufio"
	"io"
)

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
