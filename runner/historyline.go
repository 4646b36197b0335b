package runner

import (
	"encoding/json"
	"errors"
	"strconv"
)

// historyLine is what History takes from a results record: its id,
// status and duration. Reading only these, with a small scanner of the
// record's top-level keys rather than decoding it whole, is what makes a
// history of a hundred thousand records quick to read.
type historyLine struct {
	id       string
	status   Status
	duration int64
}

// errCutShort says that a line ended before its record did.
var errCutShort = errors.New("cut short")

// errNotRecord says that a line is not a JSON object.
var errNotRecord = errors.New("not a results record")

// parseHistoryLine reads a record's id, status and duration_ms from one
// trimmed line. A line that ends inside the object is errCutShort; one
// that is not a JSON object, or whose id, status or duration_ms is not of
// its type, is errNotRecord. Of a key given twice, the last counts.
func parseHistoryLine(b []byte) (historyLine, error) {
	var h historyLine
	if len(b) == 0 || b[0] != '{' {
		return h, errNotRecord
	}
	p := skipSpace(b, 1)
	if p < len(b) && b[p] == '}' {
		return h, trailing(b, p+1)
	}
	for {
		key, p1, err := scanString(b, p)
		if err != nil {
			return h, err
		}
		p = skipSpace(b, p1)
		if p >= len(b) {
			return h, errCutShort
		}
		if b[p] != ':' {
			return h, errNotRecord
		}
		p = skipSpace(b, p+1)
		end, err := skipValue(b, p)
		if err != nil {
			return h, err
		}
		if err := h.set(key, b[p:end]); err != nil {
			return h, err
		}
		p = skipSpace(b, end)
		switch {
		case p >= len(b):
			return h, errCutShort
		case b[p] == '}':
			return h, trailing(b, p+1)
		case b[p] != ',':
			return h, errNotRecord
		}
		p = skipSpace(b, p+1)
	}
}

// set takes the value of one of the keys History reads.
func (h *historyLine) set(key, value []byte) error {
	var err error
	switch string(key) {
	case `"id"`:
		h.id, err = jsonString(value)
	case `"status"`:
		h.status, err = jsonStatus(value)
	case `"duration_ms"`:
		h.duration, err = strconv.ParseInt(string(value), 10, 64)
	}
	if err != nil {
		return errNotRecord
	}
	return nil
}

// jsonString decodes a JSON string value; one without escapes, the
// usual case, is taken as it is.
func jsonString(value []byte) (string, error) {
	plain := len(value) >= 2 && value[0] == '"'
	for i := 1; plain && i < len(value)-1; i++ {
		c := value[i]
		plain = c != '\\' && c >= 0x20 && c < 0x80
	}
	if plain {
		return string(value[1 : len(value)-1]), nil
	}
	var s string
	err := json.Unmarshal(value, &s)
	return s, err
}

// jsonStatus decodes a status, without a copy for drover's own.
func jsonStatus(value []byte) (Status, error) {
	switch string(value) {
	case `"succeeded"`:
		return Succeeded, nil
	case `"failed"`:
		return Failed, nil
	case `"timed_out"`:
		return TimedOut, nil
	case `"canceled"`:
		return Canceled, nil
	case `"skipped"`:
		return Skipped, nil
	}
	s, err := jsonString(value)
	return Status(s), err
}

// trailing checks that nothing but white space follows the object.
func trailing(b []byte, p int) error {
	if skipSpace(b, p) != len(b) {
		return errNotRecord
	}
	return nil
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n') {
		p++
	}
	return p
}

// scanString returns the string (quotes included) that starts at p, and
// where it ends.
func scanString(b []byte, p int) ([]byte, int, error) {
	if p >= len(b) {
		return nil, p, errCutShort
	}
	if b[p] != '"' {
		return nil, p, errNotRecord
	}
	for i := p + 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return b[p : i+1], i + 1, nil
		}
	}
	return nil, len(b), errCutShort
}

// skipValue returns where the JSON value that starts at p ends. Strings
// and nesting are followed; numbers and literals are taken up to the next
// delimiter, and checked by whoever reads them.
func skipValue(b []byte, p int) (int, error) {
	if p >= len(b) {
		return p, errCutShort
	}
	switch b[p] {
	case '"':
		_, end, err := scanString(b, p)
		return end, err
	case '{', '[':
		depth := 0
		for i := p; i < len(b); i++ {
			switch b[i] {
			case '"':
				_, end, err := scanString(b, i)
				if err != nil {
					return end, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			}
		}
		return len(b), errCutShort
	}
	end := p
	for end < len(b) && !delimiter(b[end]) {
		end++
	}
	if end == p {
		return p, errNotRecord
	}
	return end, nil
}

// delimiter tells whether c ends a number or a literal.
func delimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
