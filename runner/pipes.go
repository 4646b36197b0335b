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
	copied     chan struct{}
	copiers    int
}

func (p *pipes) attach(cmd *exec.Cmd, a Attempt) error {
	p.copied = make(chan struct{}, 3)
	if a.Job.Stdin != nil && *a.Job.Stdin != "" {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		cmd.Stdin = r
		p.childEnds = append(p.childEnds, r)
		p.parentEnds = append(p.parentEnds, w)
	}
	for _, s := range []struct {
		dst  io.Writer
		slot *io.Writer
	}{{a.Stdout, &cmd.Stdout}, {a.Stderr, &cmd.Stderr}} {
		if f, ok := s.dst.(*os.File); ok {
			*s.slot = f // straight to the file: no copy
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		*s.slot = w
		p.childEnds = append(p.childEnds, w)
		p.parentEnds = append(p.parentEnds, r)
	}
	return nil
}

// started closes the child's ends in drover and starts the copies.
func (p *pipes) started(a Attempt) {
	for _, f := range p.childEnds {
		f.Close()
	}
	p.childEnds = nil
	i := 0
	if a.Job.Stdin != nil && *a.Job.Stdin != "" {
		w := p.parentEnds[0]
		p.copiers++
		go func() {
			defer func() { p.copied <- struct{}{} }()
			_, _ = io.WriteString(w, *a.Job.Stdin) // EPIPE: the job did not read it all
			w.Close()
		}()
		i = 1
	}
	for _, dst := range []io.Writer{a.Stdout, a.Stderr} {
		if _, ok := dst.(*os.File); ok {
			continue
		}
		r := p.parentEnds[i]
		i++
		p.copiers++
		go func() {
			defer func() { p.copied <- struct{}{} }()
			_, _ = io.Copy(&drainWriter{w: dst}, r)
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
