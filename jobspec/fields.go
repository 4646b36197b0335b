package jobspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MaxIDLength is the longest id drover accepts, in bytes.
const MaxIDLength = 256

// MaxRetries is the largest retries value drover accepts.
const MaxRetries = 100

// decodeString reads a string value; raw is one valid JSON value, without
// surrounding white space.
func decodeString(raw json.RawMessage) (string, error) {
	s, ok := stringValue(raw)
	if !ok {
		return "", fmt.Errorf("must be a string, not %s", describeValue(raw))
	}
	return s, nil
}

func parseID(job *Job, raw json.RawMessage) error {
	id, err := decodeString(raw)
	if err != nil {
		return err
	}
	if err := ValidateID(id); err != nil {
		return err
	}
	job.ID = id
	return nil
}

// ValidateID checks an id against the contract: non-empty, at most
// MaxIDLength bytes, no control characters.
func ValidateID(id string) error {
	switch {
	case id == "":
		return errors.New("must not be empty")
	case len(id) > MaxIDLength:
		return fmt.Errorf("is %d bytes long; the limit is %d", len(id), MaxIDLength)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return fmt.Errorf("contains the control character %U", r)
		}
	}
	return nil
}

func parseCmd(job *Job, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		s, err := decodeString(raw)
		if err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			return errors.New("must not be empty")
		}
		if strings.IndexByte(s, 0) >= 0 {
			return errors.New("contains a NUL byte")
		}
		job.Argv, job.Shell = []string{s}, true
		return nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return fmt.Errorf("must be a string or an array of strings, not %s", describeValue(raw))
	}
	argv := make([]string, 0, 4)
	err := elements(raw, func(i int, item []byte) error {
		s, err := decodeString(item)
		if err != nil {
			return fmt.Errorf("element %d %w", i, err)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("element %d contains a NUL byte", i)
		}
		argv = append(argv, s)
		return nil
	})
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return errors.New("must not be an empty array")
	}
	if argv[0] == "" {
		return errors.New("the program name (element 0) must not be empty")
	}
	job.Argv, job.Shell = argv, false
	return nil
}

// parseEnv reads an object of strings. Messages name keys, never values:
// values may be secrets.
func parseEnv(job *Job, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("must be an object of strings, not %s", describeValue(raw))
	}
	var env []EnvVar
	err := members(raw, func(rawKey []byte, _ int, value []byte) error {
		key, _ := stringValue(rawKey)
		switch {
		case key == "":
			return errors.New("a variable name must not be empty")
		case strings.ContainsAny(key, "=\x00"):
			return fmt.Errorf("variable name %q must not contain '=' or a NUL byte", key)
		}
		for _, v := range env { // env objects are small
			if v.Key == key {
				return fmt.Errorf("variable %q is given twice", key)
			}
		}
		s, err := decodeString(value)
		if err != nil {
			return fmt.Errorf("variable %q %w", key, err)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("the value of variable %q contains a NUL byte", key)
		}
		env = append(env, EnvVar{Key: key, Value: s})
		return nil
	})
	if err != nil {
		return err
	}
	job.Env = env
	return nil
}

func parseDir(job *Job, raw json.RawMessage) error {
	dir, err := decodeString(raw)
	if err != nil {
		return err
	}
	if strings.IndexByte(dir, 0) >= 0 {
		return errors.New("contains a NUL byte")
	}
	job.Dir = dir
	return nil
}

func parseTimeout(job *Job, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	var d time.Duration
	if len(raw) > 0 && raw[0] == '"' {
		s, err := decodeString(raw)
		if err != nil {
			return err
		}
		if d, err = ParseDuration(s); err != nil {
			return err
		}
	} else {
		if describeValue(raw) != "a number" {
			return fmt.Errorf("must be a duration string such as \"90s\" or a number of seconds, not %s", describeValue(raw))
		}
		secs, err := strconv.ParseFloat(string(raw), 64)
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("%s seconds is too long", shorten(raw))
		}
		if err != nil {
			return fmt.Errorf("%s is not a number of seconds", shorten(raw))
		}
		if secs < 0 {
			return fmt.Errorf("must not be negative, got %s", raw)
		}
		if secs > math.MaxInt64/float64(time.Second) {
			return fmt.Errorf("%s seconds is too long", raw)
		}
		if secs > 0 && secs < MinTimeoutSeconds { // 1e-10 would round to 0: no timeout at all
			return fmt.Errorf("%s seconds is under %g (1ms); 0 means none", shorten(raw), MinTimeoutSeconds)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	job.Timeout = &d
	return nil
}

// MinTimeoutSeconds is the smallest timeout given as a number of seconds,
// other than 0 (none): a smaller one could round to nothing, which would
// mean no timeout at all. A duration string says exactly what it means.
const MinTimeoutSeconds = 0.001

// ParseDuration reads a non-negative Go duration such as "90s" or "1m30s".
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (examples: \"90s\", \"1m30s\", \"500ms\")", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("must not be negative, got %q", s)
	}
	return d, nil
}

func parseRetries(job *Job, raw json.RawMessage) error {
	n, ok := wholeNumber(raw)
	if !ok || n < 0 || n > MaxRetries {
		return fmt.Errorf("must be a whole number from 0 to %d, got %s", MaxRetries, shorten(raw))
	}
	r := int(n)
	job.Retries = &r
	return nil
}

// wholeNumber reads a JSON number without a fractional part.
func wholeNumber(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if describeValue(raw) != "a number" {
		return 0, false
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func parseRetryOn(job *Job, raw json.RawMessage) error {
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '[' {
		return fmt.Errorf("must be an array of exit codes and \"timeout\", not %s", describeValue(raw))
	}
	on := &RetryOn{}
	err := elements(raw, func(i int, item []byte) error {
		if s, err := decodeString(item); err == nil {
			if s != "timeout" {
				return fmt.Errorf("element %d: %q is not \"timeout\" or an exit code", i, s)
			}
			on.Timeout = true
			return nil
		}
		code, ok := wholeNumber(item)
		if !ok || code < 1 || code > 255 {
			return fmt.Errorf("element %d: must be an exit code from 1 to 255 or \"timeout\", got %s", i, shorten(item))
		}
		on.ExitCodes = append(on.ExitCodes, int(code))
		return nil
	})
	if err != nil {
		return err
	}
	job.RetryOn = on
	return nil
}

func parseStdin(job *Job, raw json.RawMessage) error {
	s, err := decodeString(raw)
	if err != nil {
		return err
	}
	job.Stdin = &s
	return nil
}

// shorten quotes a raw value for a message, cut to a readable length.
func shorten(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// EscapeID writes every control character of an id made by --id (an item
// may hold a newline or a TAB, as names from find -print0 can) as \n, \t,
// \r or \xHH (\u00HH for the C1 controls), so that the id is valid and
// still tells such items apart. Other characters, the backslash included,
// stay as they are.
func EscapeID(id string) string {
	if strings.IndexFunc(id, unicode.IsControl) < 0 {
		return id
	}
	var b strings.Builder
	for _, r := range id {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
