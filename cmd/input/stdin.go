package input

import (
	"io"
	"os"
	"syscall"
	"time"
)

// Interrupt ends a read waiting on an input that can make it wait (a
// pipe, a terminal, a FIFO); a regular file never makes a read wait. The
// input is left open, so that its producer is not cut off before drover
// exits: a read deadline in the past wakes the read, and only an input
// without deadlines is closed.
func (in *Input) Interrupt() {
	if in.file != nil {
		return
	}
	if d, ok := in.r.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(time.Now()) == nil {
		return
	}
	if c, ok := in.r.(io.Closer); ok {
		c.Close()
	}
}

// pollable returns stdin, when it is a pipe or a socket, as a file that Go
// reads through its poller, so that a read deadline wakes a read waiting
// on it (a blocking read(2) would go on waiting). The descriptor is made
// non-blocking for that, and blocking again by the returned restore, since
// other processes may share it.
func pollable(f *os.File) (r io.Reader, restore func() error) {
	fd := int(f.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		return f, func() error { return nil }
	}
	return os.NewFile(uintptr(fd), f.Name()), func() error { return syscall.SetNonblock(fd, false) }
}
