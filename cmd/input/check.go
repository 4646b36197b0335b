package input

import (
	"errors"
	"io"

	"github.com/drover/drover/jobspec"
)

// CheckResult is what reading a whole input found.
type CheckResult struct {
	Records int // valid jobs
	Bad     int // bad records
}

// ErrInterrupted ends a check that a signal cut short.
var ErrInterrupted = errors.New("interrupted")

// Check reads every record of dec and hands each bad one to report as
// it is found, so that memory stays bounded however many there are. It
// counts the valid jobs that shard holds (a job with needs is held by the
// shard of its first need; needs in two shards make a bad record). A read error that is not the
// input's fault is returned as err; so is ErrInterrupted once stop (when
// set) says so.
func Check(dec *jobspec.Decoder, shard Filter, report func(error), stop func() bool) (CheckResult, error) {
	return CheckEach(dec, shard, report, stop, nil)
}

// CheckEach is Check that also hands each valid job of the shard to each,
// when it is set.
func CheckEach(dec *jobspec.Decoder, shard Filter, report func(error), stop func() bool, each func(*jobspec.Job)) (CheckResult, error) {
	defer dec.Close()
	var res CheckResult
	place := newPlacement(shard)
	for {
		if stop != nil && res.Records%1024 == 0 && stop() {
			return res, ErrInterrupted
		}
		job, err := dec.Next()
		switch {
		case err == io.EOF:
			return res, nil
		case err == nil:
			held, err := place.holds(job)
			if err != nil {
				res.Bad++
				report(err)
			} else if held {
				res.Records++
				if each != nil {
					each(job)
				}
			}
		case jobspec.IsInputError(err):
			res.Bad++
			report(err)
			var ie *jobspec.InputError
			if errors.As(err, &ie) {
				return res, nil
			}
		default:
			return res, err
		}
	}
}
