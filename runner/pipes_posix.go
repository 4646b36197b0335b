//go:build !linux || drover_posix

package runner

import (
	"os"
	"syscall"
)

// newPipe makes a pipe, both ends close-on-exec. pipe2 is not everywhere
// (not on darwin), so the flag is set after, under the lock that keeps a
// concurrent fork from inheriting the ends in between.
func newPipe() ([2]int, error) {
	var fd [2]int
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	if err := syscall.Pipe(fd[:]); err != nil {
		return fd, os.NewSyscallError("pipe", err)
	}
	syscall.CloseOnExec(fd[0])
	syscall.CloseOnExec(fd[1])
	return fd, nil
}

// growPipe does nothing: pipes here keep the size the system gives them,
// and reads stay at the size of copyBufs.
func growPipe(fd uintptr) bool { return false }
