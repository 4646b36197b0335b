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
// counts the valid jobs that shard holds. A read error that is not the
// input's fault is returned as err; so is ErrInterrupted once stop (when
// set) says so.
func Check(dec *jobspec.Decoder, shard Filter, report func(error), stop func() bool) (CheckResult, error) {
	defer dec.Close()
	var res CheckResult
	for {
		if stop != nil && res.Records%1024 == 0 && stop() {
			return res, ErrInterrupted
		}
		job, err := dec.Next()
		switch {
		case err == io.EOF:
			return res, nil
		case err == nil:
			if shard.Holds(job) {
				res.Records++
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
