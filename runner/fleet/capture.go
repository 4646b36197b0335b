package fleet

import (
	"io"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// captureSink keeps the first limit bytes of each stream of a job, to send
// back with its result.
type captureSink struct{ limit int }

func (s captureSink) Open(*jobspec.Job) (runner.JobOutput, error) {
	return &capture{stdout: capped{limit: s.limit}, stderr: capped{limit: s.limit}}, nil
}

// capture is one job's captured output. Each stream is written by one
// goroutine at a time and read once the job is final.
type capture struct{ stdout, stderr capped }

func (c *capture) Stdout() io.Writer { return &c.stdout }
func (c *capture) Stderr() io.Writer { return &c.stderr }
func (c *capture) Close() error      { return nil }

// capped keeps the first limit bytes written to it and counts the rest.
type capped struct {
	buf     []byte
	limit   int
	dropped int64
}

func (c *capped) Write(p []byte) (int, error) {
	keep := min(len(p), c.limit-len(c.buf))
	c.buf = append(c.buf, p[:keep]...)
	c.dropped += int64(len(p) - keep)
	return len(p), nil
}
