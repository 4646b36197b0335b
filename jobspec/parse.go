package jobspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parseError is a JSON syntax fault at a byte offset of the record.
type parseError struct {
	offset int
	err    error
}

func (e *parseError) Error() string { return "invalid JSON: " + e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }
func (e *parseError) Offset() int   { return e.offset }

// fieldError is a fault in the field whose key ends at a byte offset of the
// record.
type fieldError struct {
	offset int
	err    error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }
func (e *fieldError) Offset() int   { return e.offset }

func syntaxFault(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &parseError{offset: int(se.Offset), err: se}
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &parseError{err: errors.New("unexpected end of the record")}
	}
	return &parseError{err: err}
}

// fieldParser fills one field of a Job from its raw JSON value.
type fieldParser func(job *Job, raw json.RawMessage) error

// knownFields lists the fields of a job object, in the order messages name
// them, with their parsers. Names are case-sensitive. A field's index is its
// bit in a record's set of the fields seen.
var knownFields = [...]struct {
	name  string
	parse fieldParser
}{
	{"id", parseID},
	{"cmd", parseCmd},
	{"env", parseEnv},
	{"dir", parseDir},
	{"timeout", parseTimeout},
	{"retries", parseRetries},
	{"retry_on", parseRetryOn},
	{"stdin", parseStdin},
	{"needs", parseNeeds},
	{"when", parseWhen},
}

// cmdField is the index of the one required field.
const cmdField = 1

// lookupField finds a known field by name; index is -1 for an unknown one.
func lookupField(key []byte) (index int, parse fieldParser) {
	for i, f := range knownFields {
		if string(key) == f.name {
			return i, f.parse
		}
	}
	return -1, nil
}

// parseInvalid finds the fault of a record that is not valid JSON, with
// encoding/json's tokenizer, so that the message says what is wrong and
// where. It applies the same checks as parseObject up to the fault.
func parseInvalid(rec []byte, pos Position) (*Job, error) {
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxFault(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("a record must be a JSON object, not %s", describeToken(tok))
	}
	job := &Job{Record: pos}
	var seen uint32
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxFault(err)
		}
		key, _ := tok.(string)
		at := int(dec.InputOffset())
		i, parse := lookupField([]byte(key))
		if parse == nil {
			return nil, &fieldError{at, unknownField(key)}
		}
		if seen&(1<<i) != 0 {
			return nil, &fieldError{at, fmt.Errorf("field %q is given twice", key)}
		}
		seen |= 1 << i
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxFault(err)
		}
		if err := parse(job, raw); err != nil {
			return nil, &fieldError{at, fmt.Errorf("field %q: %w", key, err)}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, syntaxFault(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &parseError{offset: int(dec.InputOffset()), err: errors.New("unexpected data after the job object")}
	}
	if err := complete(job, seen); err != nil {
		return nil, err
	}
	return job, nil
}

// complete checks what a record must hold as a whole, once every field of
// it is read.
func complete(job *Job, seen uint32) error {
	if seen&(1<<cmdField) == 0 {
		return errors.New(`field "cmd" is required`)
	}
	if job.When != "" && len(job.Needs) == 0 {
		return errors.New(`field "when" is only valid with "needs"`)
	}
	return nil
}

// parseLine makes a shell job of one line of --format lines input.
func parseLine(line []byte, pos Position, seq int) (*Job, error) {
	if bytes.IndexByte(line, 0) >= 0 {
		return nil, errors.New("the command contains a NUL byte")
	}
	return &Job{
		Record: pos,
		Seq:    seq,
		Argv:   []string{string(line)},
		Shell:  true,
	}, nil
}

func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// describeValue names the JSON type of a raw value, for messages.
func describeValue(raw json.RawMessage) string {
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '"':
		return "a string"
	case raw[0] == '{':
		return "an object"
	case raw[0] == '[':
		return "an array"
	case raw[0] == 't' || raw[0] == 'f':
		return "a boolean"
	case raw[0] == 'n':
		return "null"
	}
	return "a number"
}

// unknownField names the key and, when there is one, the known field it is
// closest to.
func unknownField(key string) error {
	best, bestDist := "", len(key)/2+2
	names := make([]string, len(knownFields))
	for i, f := range knownFields {
		names[i] = f.name
		d := editDistance(strings.ToLower(key), f.name)
		if d < bestDist || (d == bestDist && f.name < best) {
			best, bestDist = f.name, d
		}
	}
	if best == "" || bestDist > 2 && bestDist > len(key)/3 {
		return fmt.Errorf("unknown field %q (known fields: %s)", key, strings.Join(names, ", "))
	}
	return fmt.Errorf("unknown field %q (did you mean %q?)", key, best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
