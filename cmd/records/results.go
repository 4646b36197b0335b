package records

import (
	"github.com/drover/drover/runner"
)

// Results is the results file: one JSON record per finished job, appended
// with one write and flushed before the next (see runner.ResultsFile).
type Results struct {
	f *runner.ResultsFile
	// Run and Shard, when set, go into every record: the fleet run that
	// ran the jobs, and the run's --shard.
	Run, Shard string
	// ShardMethod, when set, says how each job came to the shard: it
	// fills in the records' shard_method.
	ShardMethod func(id string) string
}

// OpenResults opens the results file at path for appending, locked for
// as long as it is open (see runner.OpenResults).
func OpenResults(path string) (*Results, error) {
	f, err := runner.OpenResults(path)
	if err != nil {
		return nil, err
	}
	return &Results{f: f}, nil
}

// savedFiles is a job's output that was also saved to files.
type savedFiles interface {
	Files() (stdout, stderr string)
}

// Record appends the job's record. A job skipped by --resume gets none:
// its earlier record stands, and a resumed run adds lines only for the
// jobs it ran.
func (r *Results) Record(res *runner.Result) error {
	if res.Status == runner.Skipped {
		return nil
	}
	rec := NewRecord(res)
	rec.Run, rec.Shard = r.Run, r.Shard
	if r.ShardMethod != nil {
		rec.ShardMethod = r.ShardMethod(rec.ID)
	}
	return r.f.Write(rec)
}

// lossyOutput is a job's output that may have lost some of it before the
// job ended: a spill file or a saved file that failed.
type lossyOutput interface {
	OutputErr() error
}

// NewRecord is the results record of res, with the paths of its saved
// output, and in its error what of its output was lost.
func NewRecord(res *runner.Result) runner.Record {
	rec := runner.NewRecord(res)
	if s, ok := res.Output.(savedFiles); ok {
		rec.StdoutFile, rec.StderrFile = s.Files()
	}
	if o, ok := res.Output.(lossyOutput); ok {
		if err := o.OutputErr(); err != nil {
			msg := "output lost: " + err.Error()
			if rec.Error != nil {
				msg = *rec.Error + "; " + msg
			}
			rec.Error = &msg
		}
	}
	return rec
}

// Finish closes the file.
func (r *Results) Finish(Outcome) error { return r.Close() }

// Close closes the file, which unlocks it; it may be called more than
// once, and on a nil *Results.
func (r *Results) Close() error {
	if r == nil || r.f == nil {
		return nil
	}
	f := r.f
	r.f = nil
	return f.Close()
}
