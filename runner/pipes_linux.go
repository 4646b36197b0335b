//go:build linux && !drover_posix

package runner

import (
	"os"

	"golang.org/x/sys/unix"
)

// newPipe makes a pipe, both ends close-on-exec from the start.
func newPipe() ([2]int, error) {
	var fd [2]int
	if err := unix.Pipe2(fd[:], unix.O_CLOEXEC); err != nil {
		return fd, os.NewSyscallError("pipe2", err)
	}
	return fd, nil
}

// growPipe grows the pipe fd to bigPipe, and reports that its reads may
// now take bigPipe at once. A limit on pipe sizes changes nothing but the
// size.
func growPipe(fd uintptr) bool {
	_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, bigPipe)
	return true
}
