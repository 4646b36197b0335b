package runner

import (
	"bytes"
	"fmt"
	"os"
	"slices"
)

// History is how long jobs took in earlier runs: for each id, the
// duration of its last record that ran to an end (succeeded, failed or
// timed out; a canceled job was cut short and a skipped one did not run),
// in milliseconds. It holds the ids and durations alone, never the
// records. It is read once and then only read from, by any goroutine.
type History struct {
	durations map[string]int64
	median    int64
}

// ReadHistory reads results files, in the order given and each from top
// to bottom, so that a later record of a job replaces an earlier one. A
// file that is missing, a line that is not a record, or a record with an
// unknown status is an error naming it (FILE or FILE:LINE); a record cut
// short by a crash is passed over.
func ReadHistory(paths []string) (*History, error) {
	h := &History{durations: map[string]int64{}}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		err = scanLines(f, path, MaxRecordLine(0), h.add)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	h.median = medianOf(h.durations)
	return h, nil
}

// add takes one line of a results file.
func (h *History) add(_ int, b []byte) error {
	l, err := parseHistoryLine(b)
	switch {
	case err == errCutShort && bytes.HasPrefix(b, recordPrefix):
		return nil // a record cut short by a crash
	case err != nil || l.id == "":
		return errNotRecord
	case !l.status.valid():
		return fmt.Errorf("job %s: unknown status %q (want one of %s)", l.id, l.status, statusList)
	}
	switch l.status {
	case Succeeded, Failed, TimedOut:
		h.durations[l.id] = max(l.duration, 0)
	}
	return nil
}

// Duration is the job's last recorded duration in milliseconds, and
// whether there is one.
func (h *History) Duration(id string) (int64, bool) {
	d, ok := h.durations[id]
	return d, ok
}

// Estimate is the job's last recorded duration, or, for a job with no
// history, the median of every recorded duration (0 for an empty
// history): an unknown job is taken for a typical one.
func (h *History) Estimate(id string) int64 {
	if d, ok := h.durations[id]; ok {
		return d
	}
	return h.median
}

// Median is the median of the recorded durations (of two middle ones,
// the lower), 0 for an empty history.
func (h *History) Median() int64 { return h.median }

// Len is the number of jobs with a recorded duration.
func (h *History) Len() int { return len(h.durations) }

func medianOf(durations map[string]int64) int64 {
	if len(durations) == 0 {
		return 0
	}
	all := make([]int64, 0, len(durations))
	for _, d := range durations {
		all = append(all, d)
	}
	slices.Sort(all)
	return all[(len(all)-1)/2]
}
