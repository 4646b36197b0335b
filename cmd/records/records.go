// Package records owns the files a run writes its outcome to, for scripts
// and CI rather than for people: the results file (one JSON record per
// finished job) and the summary file. Each is a Writer; a run writes to a
// Set of them, so that another format (a JUnit report, an events log) is
// one more Writer added to the Set. It knows neither flags nor terminals.
package records

import (
	"fmt"

	"github.com/drover/drover/runner"
)

// Outcome is how a run ended, as the records give it.
type Outcome struct {
	Summary     runner.Summary
	Interrupted string // the signal that interrupted the run; "" for none
	ExitCode    int
}

// Writer writes one record file of a run. It is opened before any job
// starts, so that a path that cannot be written stops the run before it
// begins. Record is called with every final result, one at a time, in the
// order the jobs finish, from the engine's collector goroutine; an error
// stops the run. Finish is called once the run is over, by the run's own
// goroutine, and completes the file; Close, which may follow at any time
// and more than once, releases it.
type Writer interface {
	Record(*runner.Result) error
	Finish(Outcome) error
	Close() error
}

// Set is the record files of a run, each under the name its errors are
// shown with.
type Set struct {
	writers []named
}

type named struct {
	name string
	Writer
}

// Add adds w to the set; its errors are shown as "name: error".
func (s *Set) Add(name string, w Writer) { s.writers = append(s.writers, named{name, w}) }

// Empty reports whether the set has no writer.
func (s *Set) Empty() bool { return len(s.writers) == 0 }

// Record hands res to every writer, in the order they were added, and
// returns the first error.
func (s *Set) Record(res *runner.Result) error {
	for _, w := range s.writers {
		if err := w.Record(res); err != nil {
			return err
		}
	}
	return nil
}

// Finish completes every file with the outcome and returns what failed.
func (s *Set) Finish(o Outcome) []error {
	var errs []error
	for _, w := range s.writers {
		if err := w.Finish(o); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", w.name, err))
		}
	}
	return errs
}

// Close releases every file; it may be called more than once.
func (s *Set) Close() {
	for _, w := range s.writers {
		w.Close()
	}
}
