// Package jobspec owns drover's job definitions: the Job type, the streaming
// decoders for JSON arrays, NDJSON and plain lines, and the validation of
// every record, which names each record by its position (FILE:LINE).
//
// jobspec imports nothing else of drover's; the runner and the command line
// build on it.
package jobspec

import (
	"fmt"
	"time"
)

// Position names a record in the input: the file (or "<stdin>") and the line
// the record starts on.
type Position struct {
	File string
	Line int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Job is one validated job definition. A Job is a plain value: once returned
// by a Decoder it is never changed by jobspec and may be shared read-only
// between goroutines.
type Job struct {
	// ID is unique in the input: the "id" field or the record number.
	ID string
	// Record is where the job was defined.
	Record Position
	// Seq is the 1-based ordinal of the job in its input.
	Seq int
	// Argv is the command to execute. When Shell is true, Argv holds a single
	// string to be run by the shell; otherwise Argv[0] is looked up in PATH.
	Argv  []string
	Shell bool
	// Args are the values a command template filled in, in order (the
	// item, or its columns, then one value of each ::: list), as GNU
	// parallel's --tag shows them; nil for a job object or a JSON record.
	Args []string
	// Env holds variables added to drover's environment, in input order.
	Env []EnvVar
	// Dir is the working directory; empty means drover's own.
	Dir string
	// Timeout and Retries are nil when the record leaves them to the defaults.
	Timeout *time.Duration
	Retries *int
	// RetryOn is nil when every failure may be retried.
	RetryOn *RetryOn
	// Stdin is written to the job's standard input; nil means empty input.
	Stdin *string
	// Needs lists the jobs this one waits for, each given earlier in the
	// input; nil for a job that waits for none.
	Needs []Need
	// When says which outcomes of the needs let the job run; it is set
	// only with Needs ("" reads as WhenSuccess).
	When When
}

// Need names a job that another job waits for: its id and its Seq.
type Need struct {
	ID  string
	Seq int
}

// When says which outcomes of a job's needs let it run.
type When string

// The values of the "when" field.
const (
	// WhenSuccess runs the job when every need succeeded (or was skipped
	// by --resume).
	WhenSuccess When = "success"
	// WhenAlways runs the job once every need has a final status.
	WhenAlways When = "always"
	// WhenFailure runs the job once every need has a final status and at
	// least one of them did not succeed.
	WhenFailure When = "failure"
)

// EnvVar is one environment variable of a job.
type EnvVar struct {
	Key, Value string
}

// RetryOn lists the failures that may be retried.
type RetryOn struct {
	ExitCodes []int
	Timeout   bool
}

// Matches reports whether a failure with the given exit code (nil when the
// attempt has none, for example when it was killed by a signal) or timeout
// may be retried.
func (r *RetryOn) Matches(exitCode *int, timedOut bool) bool {
	if r == nil {
		return true
	}
	if timedOut {
		return r.Timeout
	}
	if exitCode == nil {
		return false
	}
	for _, c := range r.ExitCodes {
		if c == *exitCode {
			return true
		}
	}
	return false
}
