//go:build !linux || drover_posix

package runner

import (
	"io"
	"os"
)

// ReadFrom is the copy of a job's stream into the spool, used instead of
// Write when the stream is a pipe. Without splice (spool_linux.go), what
// spills goes through drover's memory, a buffer at a time. It reads until
// r ends, as the copy does, and keeps the first error of the spill file
// for Err.
func (s *Spool) ReadFrom(r io.Reader) (int64, error) {
	f, ok := r.(*os.File)
	if !ok {
		return io.Copy(struct{ io.Writer }{s}, r)
	}
	var total int64
	readEach(f, func(p []byte) bool {
		s.Write(p)
		total += int64(len(p))
		return true
	})
	return total, nil
}

// sendFile would copy f to w in the kernel; here (sendfile writes only to
// sockets on darwin and FreeBSD) it sends nothing and reports so, and
// WriteTo copies.
func sendFile(w io.Writer, f *os.File) (n int64, handled bool, err error) {
	return 0, false, nil
}
