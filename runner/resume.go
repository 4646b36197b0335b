package runner

import (
	"errors"
	"os"
)

// Previous is what --resume learns from a results file: the jobs that
// already succeeded, the fleet runs whose records it holds (in the order
// first seen), and the lines cut short by a crash.
type Previous struct {
	Succeeded map[string]bool
	Runs      []string
	Cut       []int
}

// ReadPrevious reads a results file for --resume, of a run whose
// --max-record-size is maxRecordSize (0: the default), which bounds a
// line (MaxRecordLine). A missing file holds no records. A line that is
// not a record is an error naming it.
func ReadPrevious(path string, maxRecordSize int) (*Previous, error) {
	p := &Previous{Succeeded: map[string]bool{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	seen := map[string]bool{}
	p.Cut, err = scanRecordLines(f, path, maxRecordSize, func(_ int, rec *Record) error {
		if rec.Status == Succeeded {
			p.Succeeded[rec.ID] = true
		}
		if rec.Run != "" && !seen[rec.Run] {
			seen[rec.Run] = true
			p.Runs = append(p.Runs, rec.Run)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
