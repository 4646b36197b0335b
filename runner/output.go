package runner

import (
	"io"

	"github.com/drover/drover/jobspec"
)

// Sink decides where each job's output goes. Open is called by the worker
// that runs the job, once, before the first attempt; Sinks are called from
// many workers at once.
type Sink interface {
	Open(job *jobspec.Job) (JobOutput, error)
}

// JobOutput is where one job's output goes. Stdout and Stderr are written
// by the job's copy goroutines, at most one writer each at a time, until
// the job is final; then the Result carries the JobOutput to the receiver
// of the JobFinished event, which must Close it.
type JobOutput interface {
	Stdout() io.Writer
	Stderr() io.Writer
	Close() error
}

// discard is the JobOutput of a run without a Sink.
type discard struct{}

func (discard) Stdout() io.Writer { return io.Discard }
func (discard) Stderr() io.Writer { return io.Discard }
func (discard) Close() error      { return nil }

// tail keeps the last bytes written to it, for the summary's view of a
// failed job's stderr. It is written by one goroutine at a time and read
// only after the writes have ended.
type tail struct {
	buf  []byte
	size int
}

func newTail(size int) *tail { return &tail{size: size} }

func (t *tail) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.size {
		t.buf = append(t.buf[:0], p[len(p)-t.size:]...)
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.size; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

// bytes returns the kept bytes, starting at a line boundary when the
// first line was cut.
func (t *tail) bytes(cut bool) []byte {
	b := t.buf
	if cut {
		for i, c := range b {
			if c == '\n' {
				return b[i+1:]
			}
		}
	}
	return b
}
