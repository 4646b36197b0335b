package console

import (
	"bytes"
	"io"
	"strings"

	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
)

// tagOf is what GNU parallel's --tag puts before each line of a job's
// output: the job's arguments, separated by spaces, or, for a job that has
// none (a job object, a JSON record), its id. On a terminal, control
// characters in it are escaped.
func tagOf(job *jobspec.Job, terminal bool) string {
	tag := job.ID
	if job.Args != nil {
		tag = strings.Join(job.Args, " ")
	}
	if terminal {
		tag = termtext.Escape(tag)
	}
	return tag
}

// linePrefixer writes prefix before every line written through it, as GNU
// parallel's --tag does: a last line without a newline keeps none. It is
// written by one goroutine.
type linePrefixer struct {
	w      io.Writer
	prefix []byte
	inLine bool // the current line's prefix is written
	buf    []byte
}

func (p *linePrefixer) Write(b []byte) (int, error) {
	n := len(b)
	out := p.buf[:0]
	for len(b) > 0 {
		if !p.inLine {
			out = append(out, p.prefix...)
			p.inLine = true
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i+1]...)
		b = b[i+1:]
		p.inLine = false
	}
	p.buf = out
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}
