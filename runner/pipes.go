package runner

import (
	"io"
	"os"
	"os/exec"
	"time"
)

// pipes are the attempt's standard streams: drover holds the parent ends
// and one goroutine per stream copies.
type pipes struct {
	parentEnds []*os.File // read ends of stdout/stderr, write end of stdin
	childEnds  []*os.File // closed once the child has them
	copies     []func()   // one per pipe, started once the child runs
	copied     chan struct{}
	copiers    int
}

// attach gives the command its streams: a pipe for stdin when the job has
// input, and for stdout and stderr unless they are files, which the child
// then writes itself.
func (p *pipes) attach(cmd *exec.Cmd, a Attempt) error {
	if a.Job.Stdin != nil && *a.Job.Stdin != "" {
		r, w, err := p.pipe(true)
		if err != nil {
			return err
		}
		cmd.Stdin = r
		input := *a.Job.Stdin
		p.copies = append(p.copies, func() {
			_, _ = io.WriteString(w, input) // EPIPE: the job did not read it all
			w.Close()
		})
	}
	for _, s := range []struct {
		dst  io.Writer
		slot *io.Writer
	}{{a.Stdout, &cmd.Stdout}, {a.Stderr, &cmd.Stderr}} {
		if f, ok := s.dst.(*os.File); ok {
			*s.slot = f // straight to the file: no copy
			continue
		}
		r, w, err := p.pipe(false)
		if err != nil {
			return err
		}
		*s.slot = w
		dst := s.dst
		p.copies = append(p.copies, func() { _, _ = io.Copy(&drainWriter{w: dst}, r) })
	}
	return nil
}

// pipe makes a pipe and notes which end is the child's: the read end when
// the child reads (its stdin), the write end otherwise.
func (p *pipes) pipe(childReads bool) (r, w *os.File, err error) {
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	if childReads {
		p.childEnds, p.parentEnds = append(p.childEnds, r), append(p.parentEnds, w)
	} else {
		p.childEnds, p.parentEnds = append(p.childEnds, w), append(p.parentEnds, r)
	}
	return r, w, nil
}

// started closes the child's ends in drover and starts the copies.
func (p *pipes) started() {
	for _, f := range p.childEnds {
		f.Close()
	}
	p.childEnds = nil
	p.copied = make(chan struct{}, len(p.copies))
	for _, c := range p.copies {
		p.copiers++
		go func() {
			defer func() { p.copied <- struct{}{} }()
			c()
		}()
	}
}

// drain waits for the copies to finish, at most grace once the job's group
// is gone: past that, the pipes are held by a process that escaped, and
// closing drover's ends ends the copies.
func (p *pipes) drain(grace time.Duration) {
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for p.copiers > 0 {
		select {
		case <-p.copied:
			p.copiers--
		case <-timer.C:
			p.closeAll()
			for ; p.copiers > 0; p.copiers-- {
				<-p.copied
			}
		}
	}
}

// drainWriter passes writes on until one fails, then swallows the rest, so
// that a failing destination (a closed stdout) never stops drover from
// draining a job's pipe, which would leave the job blocked on a full pipe.
type drainWriter struct {
	w      io.Writer
	failed bool
}

func (d *drainWriter) Write(p []byte) (int, error) {
	if !d.failed {
		if _, err := d.w.Write(p); err != nil {
			d.failed = true
		}
	}
	return len(p), nil
}

func (p *pipes) closeAll() {
	for _, f := range append(p.childEnds, p.parentEnds...) {
		f.Close()
	}
	p.childEnds, p.parentEnds = nil, nil
}
