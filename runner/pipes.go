package runner

import (
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// pipes are the attempt's standard streams. The child's ends are plain
// descriptors, handed to the child and closed in drover once it runs; only
// drover's ends go through Go's poller, and one goroutine per stream
// copies.
type pipes struct {
	fds        [3]int     // the child's stdin, stdout and stderr
	childEnds  []int      // descriptors to close once the child has them
	parentEnds []*os.File // read ends of stdout/stderr, write end of stdin
	copies     []func()   // one per pipe, started once the child runs
	copied     chan struct{}
	copiers    int
}

// attach gives the attempt its streams: stdin is devNull unless the job
// has input, which then comes through a pipe; stdout and stderr are pipes
// unless they are files, which the child then writes itself.
func (p *pipes) attach(a Attempt, devNull *os.File) error {
	p.fds[0] = int(devNull.Fd())
	if a.Job.Stdin != nil && *a.Job.Stdin != "" {
		w, err := p.pipe(0, true)
		if err != nil {
			return err
		}
		input := *a.Job.Stdin
		p.copies = append(p.copies, func() {
			_, _ = io.WriteString(w, input) // EPIPE: the job did not read it all
			w.Close()
		})
	}
	for i, dst := range []io.Writer{1: a.Stdout, 2: a.Stderr} {
		if i == 0 {
			continue
		}
		if f, ok := dst.(*os.File); ok {
			p.fds[i] = int(f.Fd()) // straight to the file: no copy
			continue
		}
		r, err := p.pipe(i, false)
		if err != nil {
			return err
		}
		p.copies = append(p.copies, func() { copyOut(dst, r) })
	}
	return nil
}

// pipe makes a pipe for the child's descriptor i and returns drover's end,
// nonblocking and in the poller: the write end when the child reads (its
// stdin), the read end otherwise.
func (p *pipes) pipe(i int, childReads bool) (*os.File, error) {
	fd, err := newPipe()
	if err != nil {
		return nil, err
	}
	child, parent := fd[1], fd[0]
	if childReads {
		child, parent = fd[0], fd[1]
	}
	p.childEnds = append(p.childEnds, child)
	p.fds[i] = child
	// F_SETFL with O_NONBLOCK alone: a pipe has no other flags F_SETFL sets.
	if _, err := unix.FcntlInt(uintptr(parent), unix.F_SETFL, unix.O_NONBLOCK); err != nil {
		unix.Close(parent)
		return nil, os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(parent), "|")
	p.parentEnds = append(p.parentEnds, f)
	return f, nil
}

// started closes the child's ends in drover and starts the copies.
func (p *pipes) started() {
	p.closeChildEnds()
	if len(p.copies) == 0 {
		return
	}
	p.copied = make(chan struct{}, len(p.copies))
	for _, c := range p.copies {
		p.copiers++
		go func() {
			defer func() { p.copied <- struct{}{} }()
			c()
		}()
	}
}

// minDrain is the least drain waits: with a kill grace of zero, a copy
// that has not yet read the last of the job's output is not cut short.
const minDrain = 100 * time.Millisecond

// drain waits for the copies to finish, at most grace (and at least
// minDrain) once the job's group is gone: past that, the pipes are held by
// a process that escaped, and closing drover's ends ends the copies.
func (p *pipes) drain(grace time.Duration) {
collect: // usually the copies are done already, and no timer is needed
	for p.copiers > 0 {
		select {
		case <-p.copied:
			p.copiers--
		default:
			break collect
		}
	}
	if p.copiers == 0 {
		return
	}
	timer := time.NewTimer(max(grace, minDrain))
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

func (p *pipes) closeChildEnds() {
	for _, fd := range p.childEnds {
		unix.Close(fd)
	}
	p.childEnds = nil
}

func (p *pipes) closeAll() {
	p.closeChildEnds()
	for _, f := range p.parentEnds {
		f.Close()
	}
	p.parentEnds = nil
}

// copyBufs are the copies' buffers, shared between jobs, 64 KiB (what a
// pipe holds). A buffer is taken only once a pipe has data, so a thousand
// jobs waiting to print hold none.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// bigBufs are the buffers of the copies of pipes grown to bigPipe.
var bigBufs = sync.Pool{New: func() any { b := make([]byte, bigPipe); return &b }}

// copyOut copies a job's output stream from r to dst until r ends. A
// failing destination (a closed stdout) never stops the copy: the rest is
// read and dropped, since a job blocked on a full pipe would never end.
func copyOut(dst io.Writer, r *os.File) {
	if s, ok := dst.(*Spool); ok {
		s.ReadFrom(r) // reads to the end, whatever happens to the spill file
		return
	}
	failed := false
	readEach(r, func(p []byte) bool {
		if !failed {
			if _, err := dst.Write(p); err != nil {
				failed = true
			}
		}
		return true
	})
}

// readEach reads the pipe r until it ends, or until fn returns false, and
// hands fn each read. The buffer is held only while a read returns data.
// The first read that fills the buffer grows the pipe to bigPipe where
// the platform can (growPipe), so that a job that writes much runs ahead
// of drover's copy by that much. It returns false when fn stopped it.
func readEach(r *os.File, fn func([]byte) bool) bool {
	rc, err := r.SyscallConn()
	if err != nil {
		return true
	}
	grown, stopped := false, false
	rc.Read(func(fd uintptr) bool {
		bufs := &copyBufs
		if grown {
			bufs = &bigBufs // the pipe holds bigPipe: read it in one go
		}
		bp := bufs.Get().(*[]byte)
		defer bufs.Put(bp)
		buf := *bp
		for {
			n, err := unix.Read(int(fd), buf)
			switch {
			case n > 0:
				if n == len(buf) && !grown {
					grown = growPipe(fd)
				}
				if !fn(buf[:n]) {
					stopped = true
					return true
				}
			case err == unix.EINTR:
			case err == unix.EAGAIN:
				return false // wait for data, holding no buffer
			default:
				return true // the end (n == 0), or a read error
			}
		}
	})
	return !stopped
}

// bigPipe is the size a pipe is given once a job fills it, where pipes
// can be sized.
const bigPipe = 1 << 20
