package jobspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// stringValue decodes a raw JSON string; raw must be valid JSON.
func stringValue(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// elements calls f with each element of a raw JSON array, which must be
// valid JSON.
func elements(raw []byte, f func(i int, elem []byte) error) error {
	v := validator{b: raw}
	v.i++ // '['
	v.space()
	if v.b[v.i] == ']' {
		return nil
	}
	for i := 0; ; i++ {
		start := v.i
		v.value(1)
		if err := f(i, raw[start:v.i]); err != nil {
			return err
		}
		v.space()
		if v.b[v.i] == ']' {
			return nil
		}
		v.i++ // ','
		v.space()
	}
}

// members calls f with each member of a raw JSON object, which must be
// valid JSON; at is the offset in raw just past the member's name.
func members(raw []byte, f func(key []byte, at int, value []byte) error) error {
	v := validator{b: raw}
	v.i++ // '{'
	v.space()
	if v.b[v.i] == '}' {
		return nil
	}
	for {
		start := v.i
		v.str()
		key, at := raw[start:v.i], v.i
		v.space()
		v.i++ // ':'
		v.space()
		start = v.i
		v.value(1)
		if err := f(key, at, raw[start:v.i]); err != nil {
			return err
		}
		v.space()
		if v.b[v.i] == '}' {
			return nil
		}
		v.i++ // ','
		v.space()
	}
}

// field finds a known field by its raw (quoted) name, without allocating
// for a known one.
func field(rawKey []byte) (name string, index int, parse fieldParser) {
	key := rawKey
	if len(key) >= 2 && bytes.IndexByte(key, '\\') < 0 {
		key = key[1 : len(key)-1]
	} else {
		s, _ := stringValue(rawKey)
		key = []byte(s)
	}
	if index, parse = lookupField(key); parse != nil {
		return knownFields[index].name, index, parse
	}
	return string(key), -1, nil
}

// parseObject decodes one job object strictly: keys are matched exactly,
// unknown and repeated keys are errors, and every value is range-checked.
// It validates the JSON as it walks it, in one pass, and hands each value
// to its field's parser. At the first fault of syntax it gives the record to
// parseInvalid, whose tokenizer says what is wrong and where: the two agree
// on every record (FuzzParsersAgree). The id is left empty when the record
// has none.
func parseObject(rec []byte, pos Position) (*Job, error) {
	v := validator{b: rec}
	v.space()
	if v.i >= len(rec) || rec[v.i] != '{' {
		if validJSON(rec) {
			return nil, fmt.Errorf("a record must be a JSON object, not %s", describeValue(rec[v.i:]))
		}
		return invalid(rec, pos)
	}
	v.i++
	v.space()
	job := &Job{Record: pos}
	var seen uint32
	if v.i < len(rec) && rec[v.i] == '}' {
		v.i++
	} else {
		for {
			keyStart := v.i
			if v.i >= len(rec) || rec[v.i] != '"' || !v.str() {
				return invalid(rec, pos)
			}
			rawKey, at := rec[keyStart:v.i], v.i
			v.space()
			if v.i >= len(rec) || rec[v.i] != ':' {
				return invalid(rec, pos)
			}
			v.i++
			v.space()
			valueStart := v.i
			if !v.value(1) {
				return invalid(rec, pos)
			}
			value := rec[valueStart:v.i]
			name, i, parse := field(rawKey)
			if parse == nil {
				return nil, &fieldError{at, unknownField(name)}
			}
			if seen&(1<<i) != 0 {
				return nil, &fieldError{at, fmt.Errorf("field %q is given twice", name)}
			}
			seen |= 1 << i
			if err := parse(job, value); err != nil {
				return nil, &fieldError{at, fmt.Errorf("field %q: %w", name, err)}
			}
			v.space()
			if v.i >= len(rec) {
				return invalid(rec, pos)
			}
			if rec[v.i] == ',' {
				v.i++
				v.space()
				continue
			}
			if rec[v.i] != '}' {
				return invalid(rec, pos)
			}
			v.i++
			break
		}
	}
	v.space()
	if v.i != len(rec) {
		return invalid(rec, pos)
	}
	if err := complete(job, seen); err != nil {
		return nil, err
	}
	return job, nil
}

// invalid reports a record that is not valid JSON.
func invalid(rec []byte, pos Position) (*Job, error) {
	if job, err := parseInvalid(rec, pos); err != nil || job == nil {
		return nil, err
	}
	return nil, &parseError{err: errors.New("not valid JSON")}
}
