//go:build linux && !drover_posix

package runner

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// ReadFrom is the copy of a job's stream into the spool, used instead of
// Write when the stream is a pipe: once the spool has spilled to its file,
// the rest moves from the pipe to the file with splice, never through
// drover's memory. It reads until r ends, as the copy does, and keeps
// the first error of the spill file for Err.
func (s *Spool) ReadFrom(r io.Reader) (int64, error) {
	f, ok := r.(*os.File)
	if !ok {
		return io.Copy(struct{ io.Writer }{s}, r)
	}

	var total int64
	spill := func(p []byte) bool {
		s.Write(p)
		total += int64(len(p))
		return s.file == nil || s.err != nil
	}
	if readEach(f, spill) {
		return total, nil // the end, or drover's end closed
	}
	// Spilled: splice the rest of the pipe into the file.
	rc, err := f.SyscallConn()
	if err != nil {
		return total, err
	}
	out := int(s.file.Fd())
	var spliced int64
	var spliceErr error
	readErr := rc.Read(func(fd uintptr) bool {
		for {
			n, err := unix.Splice(int(fd), nil, out, nil, bigPipe, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
			switch {
			case n > 0:
				spliced += n
				continue
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
				return false // the pipe is empty: wait for more
			case err != nil:
				spliceErr = err
			}
			return true // n == 0: the writers have all gone
		}
	})
	s.size += spliced
	total += spliced
	if spliced > 0 {
		var last [1]byte
		if _, err := s.file.ReadAt(last[:], s.size-int64(len(s.mem))-1); err == nil {
			s.last = last[0]
		}
	}
	if spliceErr != nil {
		s.err = &os.PathError{Op: "write", Path: s.file.Name(), Err: spliceErr}
		readEach(f, spill) // the rest is dropped: Write keeps s.err
	}
	if readErr != nil && !errors.Is(readErr, os.ErrClosed) {
		return total, readErr
	}
	return total, nil
}

// sendFile copies the file f, from its start, to w with sendfile when w is
// a file or pipe; handled is false when w is neither and nothing was sent.
func sendFile(w io.Writer, f *os.File) (n int64, handled bool, err error) {
	dst, ok := w.(*os.File)
	if !ok {
		return 0, false, nil
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, false, nil
	}
	rc, err := dst.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	src := int(f.Fd())
	var off int64
	size := fi.Size()
	var sendErr error
	werr := rc.Write(func(fd uintptr) bool {
		for off < size {
			m, err := unix.Sendfile(int(fd), src, &off, int(min(size-off, 1<<30)))
			switch {
			case err == unix.EINTR || (err == nil && m > 0):
				continue
			case err == unix.EAGAIN:
				return false
			case err != nil:
				sendErr = err
			}
			return true
		}
		return true
	})
	if off == 0 && (errors.Is(sendErr, unix.EINVAL) || errors.Is(sendErr, unix.ENOSYS)) {
		return 0, false, nil // not a kind of file sendfile writes to
	}
	if sendErr == nil {
		sendErr = werr
	}
	if sendErr != nil {
		sendErr = &os.PathError{Op: "write", Path: dst.Name(), Err: sendErr}
	}
	return off, true, sendErr
}
