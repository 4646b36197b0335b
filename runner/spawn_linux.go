//go:build linux && !drover_posix

package runner

import (
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// child is a started main process. Its exit is awaited by a thread
// blocked in wait4, which the kernel wakes at once, or, with a pidfd,
// through Go's poller, which takes a hop more but no thread: a thousand
// running jobs then do not hold a thousand threads.
type child struct {
	pid   int
	pidfd *os.File // nil where the kernel has no pidfds
}

// spawn starts the process with fds as its stdin, stdout and stderr, in a
// session of its own (and so its own process group, without a controlling
// terminal to stop on), killed when drover dies. It uses syscall.ForkExec
// rather than os/exec: the environment is ready as it is, no descriptor
// needs to become an *os.File, and Go forks with vfork either way.
// With poll, its exit is awaited through a pidfd where the kernel has them.
func spawn(s *spawnSpec, fds [3]int, poll bool) (*child, error) {
	pidfd := -1
	sys := &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
	if poll && havePidfd() {
		sys.PidFD = &pidfd
	}
	pid, err := syscall.ForkExec(s.path, s.argv, &syscall.ProcAttr{
		Dir:   s.dir,
		Env:   s.env,
		Files: []uintptr{uintptr(fds[0]), uintptr(fds[1]), uintptr(fds[2])},
		Sys:   sys,
	})
	if err != nil {
		return nil, err
	}
	c := &child{pid: pid}
	if pidfd >= 0 {
		// The poller takes only nonblocking descriptors; F_SETFL sets no
		// other flag of a pidfd.
		if _, err := unix.FcntlInt(uintptr(pidfd), unix.F_SETFL, unix.O_NONBLOCK); err == nil {
			c.pidfd = os.NewFile(uintptr(pidfd), "pidfd")
		} else {
			unix.Close(pidfd)
		}
	}
	return c, nil
}

// wait reaps the process and returns its status.
func (c *child) wait() exit {
	var x exit
	done := func(options int) bool {
		pid, err := syscall.Wait4(c.pid, &x.status, options, &x.rusage)
		x.ok = pid == c.pid
		return x.ok || (err != nil && err != syscall.EINTR)
	}
	if c.pidfd != nil {
		defer c.pidfd.Close()
		if rc, err := c.pidfd.SyscallConn(); err == nil {
			// The pidfd turns readable once the process has exited.
			if rc.Read(func(uintptr) bool { return done(syscall.WNOHANG) }) == nil {
				return x
			}
		}
	}
	for !done(0) {
	}
	return x
}

// polled reports whether the exit is awaited through the poller, holding
// no thread.
func (c *child) polled() bool { return c.pidfd != nil }

// havePidfd reports whether the kernel makes pidfds (Linux 5.3 and later).
var havePidfd = sync.OnceValue(func() bool {
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
})
