package records

import (
	"io"
	"os"

	"github.com/drover/drover/cmd/reports"
)

// Report is a report file of a run (JUnit XML, HTML), written whole from
// what it collected when the run is over.
type Report struct {
	Collected
	f     *os.File
	write func(io.Writer, *reports.Run) error
}

// CreateJUnit creates (or empties) a JUnit XML report file at path.
func CreateJUnit(path string) (*Report, error) { return createReport(path, reports.WriteJUnit) }

// CreateHTML creates (or empties) an HTML report file at path.
func CreateHTML(path string) (*Report, error) { return createReport(path, reports.WriteHTML) }

func createReport(path string, write func(io.Writer, *reports.Run) error) (*Report, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &Report{f: f, write: write}, nil
}

// Finish writes the report and closes the file.
func (r *Report) Finish(o Outcome) error {
	return finishFile(&r.f, func(f *os.File) error { return r.write(f, r.Run(o)) })
}

// Close closes the file; it may be called more than once.
func (r *Report) Close() error { return closeFile(&r.f) }

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
