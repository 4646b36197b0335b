//go:build !darwin && !freebsd

package interrupt

import "golang.org/x/sys/unix"

// readerGone waits until the reader of the pipe fd has gone away, and
// reports true, or until wake is readable or closed, and reports false.
// Linux's poll reports POLLHUP on a pipe's write end without being asked.
func readerGone(fd, wake int) bool {
	fds := []unix.PollFd{{Fd: int32(fd)}, {Fd: int32(wake), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil, fds[1].Revents != 0:
			return false
		case fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0:
			return true
		}
	}
}
