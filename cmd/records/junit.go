package records

import (
	"os"

	"github.com/drover/drover/cmd/reports"
)

// JUnit is the JUnit XML report of a run, written whole when it is over.
type JUnit struct {
	Collected
	f *os.File
}

// CreateJUnit creates (or empties) the report file at path.
func CreateJUnit(path string) (*JUnit, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &JUnit{f: f}, nil
}

// Finish writes the report and closes the file.
func (j *JUnit) Finish(o Outcome) error {
	return finishFile(&j.f, func(f *os.File) error { return reports.WriteJUnit(f, j.Run(o)) })
}

// Close closes the file; it may be called more than once.
func (j *JUnit) Close() error { return closeFile(&j.f) }

// finishFile writes *f with write, closes it and forgets it; a file
// already forgotten is left alone.
func finishFile(f **os.File, write func(*os.File) error) error {
	file := *f
	if file == nil {
		return nil
	}
	*f = nil
	err := write(file)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	return err
}

// closeFile closes *f, once, and forgets it.
func closeFile(f **os.File) error {
	file := *f
	if file == nil {
		return nil
	}
	*f = nil
	return file.Close()
}
