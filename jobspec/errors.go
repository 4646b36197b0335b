package jobspec

import (
	"errors"
	"fmt"
)

// RecordError reports one bad record. A Decoder that returns a RecordError
// can go on to the next record.
type RecordError struct {
	Pos Position
	Err error
}

func (e *RecordError) Error() string { return fmt.Sprintf("%s: %v", e.Pos, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// InputError reports input that cannot be read any further: a broken JSON
// array, an unknown format, or a read error. A Decoder that returned an
// InputError returns it again on every later call.
type InputError struct {
	Pos Position
	Err error
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.Pos, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is a RecordError or an InputError, that
// is, a fault of the input rather than of drover.
func IsInputError(err error) bool {
	var re *RecordError
	var ie *InputError
	return errors.As(err, &re) || errors.As(err, &ie)
}
