package runner

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/drover/drover/jobspec"
)

// MergeOptions are the checks MergeResults makes beyond reading the files.
type MergeOptions struct {
	// ExpectJobs, when >= 0, is the number of distinct jobs the files must
	// hold.
	ExpectJobs int
	// Shards, when > 0, is the N of a list split with --shard K/N: every
	// record must carry a shard of N, in the shard its id hashes to unless
	// it was dealt by --balance-by (shard_method "balance"), and every
	// shard from 1 to N must have records.
	Shards int
}

// Merged is what results files say together: each job's deciding record,
// in the order the jobs were first seen, the span from the first start to
// the last finish, and warnings for a person (lines cut short, empty
// files).
type Merged struct {
	Records     []*Record
	First, Last time.Time
	Warnings    []string
}

// MergeResults reads results files in the order given, each from top to
// bottom. A job with several records counts once, with its last one; a
// skipped record never replaces an earlier record of the same job. It is
// strict, so that no failure hides: a missing file, a line that is not a
// record, an unknown status, a bad time, or a record cut short in the
// middle of a file with no later record of its job are errors naming
// FILE or FILE:LINE, and so are the jobs or shards missing against opts.
// Only a line cut short at the end of a file (the one a crash was writing)
// is ignored, with a warning.
func MergeResults(paths []string, opts MergeOptions) (*Merged, error) {
	m := &Merged{}
	jobs := map[string]*Record{}
	shards := map[int]bool{}
	type midCut struct {
		path string
		cut  CutRecord
	}
	var midCuts []midCut
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		n := 0
		cuts, err := ScanResults(f, path, func(_ int, rec *Record) error {
			n++
			if err := m.span(rec); err != nil {
				return err
			}
			if opts.Shards > 0 {
				k, err := recordShard(rec, opts.Shards)
				if err != nil {
					return err
				}
				shards[k] = true
			}
			j := jobs[rec.ID]
			switch {
			case j == nil:
				r := *rec
				jobs[rec.ID] = &r
				m.Records = append(m.Records, &r)
			case rec.Status != Skipped:
				*j = *rec
			}
			return nil
		})
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, c := range cuts {
			if c.Last {
				m.Warnings = append(m.Warnings, fmt.Sprintf("%s:%d: ignored a record cut short", path, c.Line))
			} else {
				midCuts = append(midCuts, midCut{path, c})
			}
		}
		if n == 0 && len(cuts) == 0 {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s: no records", path))
		}
	}
	for _, c := range midCuts {
		if c.cut.ID == "" || jobs[c.cut.ID] == nil {
			return nil, fmt.Errorf("%s:%d: a record cut short in the middle of the file, and no other record of its job", c.path, c.cut.Line)
		}
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s:%d: ignored a record cut short (job %s has a later record)", c.path, c.cut.Line, c.cut.ID))
	}
	var errs []error
	if opts.Shards > 0 {
		errs = append(errs, needShards(m.Records, jobs)...)
	}
	if opts.ExpectJobs >= 0 && len(jobs) != opts.ExpectJobs {
		errs = append(errs, fmt.Errorf("expected %d jobs, the results hold %d", opts.ExpectJobs, len(jobs)))
	}
	for k := 1; k <= opts.Shards; k++ {
		if !shards[k] {
			errs = append(errs, fmt.Errorf("shard %d/%d: no records (its results file is missing or empty)", k, opts.Shards))
		}
	}
	return m, errors.Join(errs...)
}

// needShards checks that each job with needs was recorded in the shard
// of its first need, where --shard puts it.
func needShards(recs []*Record, jobs map[string]*Record) []error {
	var errs []error
	for _, rec := range recs {
		if len(rec.Needs) == 0 {
			continue
		}
		if need := jobs[rec.Needs[0]]; need != nil && need.Shard != rec.Shard {
			errs = append(errs, fmt.Errorf("job %s: recorded in shard %s, but its first need %s in shard %s", rec.ID, rec.Shard, need.ID, need.Shard))
		}
	}
	return errs
}

// span widens the merged span to the record's times.
func (m *Merged) span(rec *Record) error {
	start, err1 := time.Parse(time.RFC3339Nano, rec.StartedAt)
	end, err2 := time.Parse(time.RFC3339Nano, rec.FinishedAt)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("job %s: bad time: %w", rec.ID, err)
	}
	if m.First.IsZero() || start.Before(m.First) {
		m.First = start
	}
	if end.After(m.Last) {
		m.Last = end
	}
	return nil
}

// recordShard checks that a record carries a shard of n and returns its K.
func recordShard(rec *Record, n int) (int, error) {
	if rec.Shard == "" {
		return 0, fmt.Errorf("job %s: no shard in the record (written by drover run --shard K/%d?)", rec.ID, n)
	}
	s, err := jobspec.ParseShard(rec.Shard)
	if err != nil {
		return 0, fmt.Errorf("job %s: shard: %w", rec.ID, err)
	}
	if s.N != n {
		return 0, fmt.Errorf("job %s: shard %s is not one of %d shards", rec.ID, rec.Shard, n)
	}
	if len(rec.Needs) > 0 {
		return s.K, nil // in its first need's shard: checked once every record is read (needShards)
	}
	if rec.ShardMethod == "balance" {
		return s.K, nil // dealt by recorded durations, not by its id's hash
	}
	if k := jobspec.ShardOf(rec.ID, n); k != s.K {
		return 0, fmt.Errorf("job %s: recorded in shard %s, but its id falls in shard %d/%d", rec.ID, rec.Shard, k, n)
	}
	return s.K, nil
}
