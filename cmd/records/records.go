// Package records owns the files a run writes its outcome to: the results
// file (one JSON record per finished job) and the summary JSON. It knows
// neither flags nor terminals.
package records

import (
	"errors"
	"fmt"
	"os"

	"github.com/drover/drover/runner"
)

// Records are the files a run writes its outcome to. Both are opened
// before any job starts, so that a path that cannot be written stops the
// run before it begins.
type Records struct {
	Results *runner.ResultsFile
	Summary *os.File
}

// Open opens the results file (appending) and creates the summary file;
// an empty path leaves that file out.
func Open(results, summaryJSON string) (*Records, error) {
	rec := &Records{}
	if results != "" {
		f, err := runner.OpenResults(results)
		if err != nil {
			return nil, fmt.Errorf("--results: %v", unwrapPath(err))
		}
		rec.Results = f
	}
	if summaryJSON != "" {
		f, err := os.Create(summaryJSON)
		if err != nil {
			rec.Close()
			return nil, fmt.Errorf("--summary-json: %v", unwrapPath(err))
		}
		rec.Summary = f
	}
	return rec, nil
}

// Close closes both files; it may be called more than once.
func (r *Records) Close() error {
	var errs []error
	if r.Results != nil {
		if err := r.Results.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--results: %w", err))
		}
		r.Results = nil
	}
	if r.Summary != nil {
		r.Summary.Close()
		r.Summary = nil
	}
	return errors.Join(errs...)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
