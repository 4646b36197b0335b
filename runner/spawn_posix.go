//go:build !linux || drover_posix

package runner

import "syscall"

// child is a started main process. Its exit is awaited by a thread
// blocked in wait4: without pidfds there is nothing the poller could wait
// on.
type child struct {
	pid int
}

// spawn starts the process with fds as its stdin, stdout and stderr, in a
// session of its own (and so its own process group, without a controlling
// terminal to stop on). Nothing here kills it when drover dies: that is
// the watchdog's work. poll is what spawn_linux.go uses; here every wait
// holds a thread.
func spawn(s *spawnSpec, fds [3]int, poll bool) (*child, error) {
	pid, err := syscall.ForkExec(s.path, s.argv, &syscall.ProcAttr{
		Dir:   s.dir,
		Env:   s.env,
		Files: []uintptr{uintptr(fds[0]), uintptr(fds[1]), uintptr(fds[2])},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		return nil, err
	}
	return &child{pid: pid}, nil
}

// wait reaps the process and returns its status.
func (c *child) wait() exit {
	var x exit
	for {
		pid, err := syscall.Wait4(c.pid, &x.status, 0, &x.rusage)
		if x.ok = pid == c.pid; x.ok || (err != nil && err != syscall.EINTR) {
			return x
		}
	}
}

// polled reports whether the exit is awaited through the poller: never.
func (c *child) polled() bool { return false }
