package records

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// joblogHeader is the first line of GNU parallel's --joblog.
const joblogHeader = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

// Joblog is GNU parallel's job log: a header, then a TAB-separated line
// per finished job, in the order they finish, flushed as each is written,
// so that plot_joblog and the scripts written for parallel read it.
type Joblog struct {
	f *os.File
	w *bufio.Writer
}

// CreateJoblog creates (or empties, as GNU parallel does) the job log at
// path and writes its header.
func CreateJoblog(path string) (*Joblog, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	j := &Joblog{f: f, w: bufio.NewWriter(f)}
	j.w.WriteString(joblogHeader)
	if err := j.w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// Record writes the line of a job that ran; a job that never started
// (skipped, or canceled before its start) has none, as in parallel.
func (j *Joblog) Record(res *runner.Result) error {
	if res.Attempts == 0 || res.StartedAt.IsZero() {
		return nil
	}
	j.w.WriteString(JoblogLine(res))
	return j.w.Flush()
}

// JoblogLine is the job log's line of res: Seq, Host (":" for this
// machine, or the fleet worker's name), Starttime (seconds since the
// epoch, 3 decimals), JobRuntime (%10.3f seconds, every attempt and retry
// delay included), Send and Receive (0: drover does not count bytes),
// Exitval and Signal, and Command as the shell or exec got it. A job that
// drover stopped (timed out, canceled) or could not start has Exitval -1;
// one killed by a signal has the signal's number.
func JoblogLine(res *runner.Result) string {
	host := ":"
	if res.Worker != "" {
		host = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' {
				return ' '
			}
			return r
		}, res.Worker)
	}
	exit, sig := -1, 0
	if res.Signal != "" {
		sig = int(unix.SignalNum(res.Signal))
	}
	switch {
	case res.Status == runner.TimedOut || res.Status == runner.Canceled:
		if sig == 0 {
			sig = int(unix.SIGTERM) // sent by drover; the job ended on its own after it
		}
	case res.ExitCode != nil:
		exit = *res.ExitCode
	case sig != 0:
		exit = 0 // killed by a signal it was not sent by drover: as parallel writes it
	}
	start := float64(res.StartedAt.UnixMilli()) / 1000
	runtime := res.FinishedAt.Sub(res.StartedAt).Seconds()
	return fmt.Sprintf("%d\t%s\t%.3f\t%10.3f\t0\t0\t%d\t%d\t%s\n", res.Job.Seq, host, start, runtime, exit, sig, command(res.Job))
}

// command is the job's command as one line of shell: a string command as
// it is, an argv quoted word by word.
func command(job *jobspec.Job) string {
	if job.Shell {
		return job.Argv[0]
	}
	words := make([]string, len(job.Argv))
	for i, a := range job.Argv {
		words[i] = jobspec.QuoteShell(a)
	}
	return strings.Join(words, " ")
}

// Finish closes the file.
func (j *Joblog) Finish(Outcome) error { return j.Close() }

// Close closes the file; it may be called more than once.
func (j *Joblog) Close() error {
	if j.f == nil {
		return nil
	}
	err := j.w.Flush()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	return err
}
