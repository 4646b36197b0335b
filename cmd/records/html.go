package records

import (
	"os"

	"github.com/drover/drover/cmd/reports"
)

// HTML is the HTML report of a run, written whole when it is over.
type HTML struct {
	Collected
	f *os.File
}

// CreateHTML creates (or empties) the report file at path.
func CreateHTML(path string) (*HTML, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &HTML{f: f}, nil
}

// Finish writes the page and closes the file.
func (h *HTML) Finish(o Outcome) error {
	return finishFile(&h.f, func(f *os.File) error { return reports.WriteHTML(f, h.Run(o)) })
}

// Close closes the file; it may be called more than once.
func (h *HTML) Close() error { return closeFile(&h.f) }
