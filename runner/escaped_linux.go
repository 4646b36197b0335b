//go:build linux && !drover_posix

package runner

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// stopEscaped stops the processes that jobs left running outside their
// process groups: daemons that called setsid, for example. drover is a
// child subreaper, so once their parents have exited they are drover's
// children. It is called when every job has ended, so no child of drover is
// still a job's main process, and each child is reaped by its own pid. They
// get SIGTERM (with SIGCONT) and SIGKILL after grace, or at once when
// killNow is closed. It returns how many were still alive.
func stopEscaped(grace time.Duration, killNow <-chan struct{}) int {
	var alive []int
	for _, pid := range childProcesses() {
		if state(pid) == 'Z' {
			reap(pid) // exited on its own; only its status was left
			continue
		}
		alive = append(alive, pid)
		signalProcess(pid, syscall.SIGTERM)
		signalProcess(pid, syscall.SIGCONT)
	}
	if len(alive) == 0 {
		return 0
	}
	deadline := time.Now().Add(grace)
	left := alive
	for len(left) > 0 && time.Now().Before(deadline) {
		select {
		case <-killNow:
			deadline = time.Now()
		case <-time.After(10 * time.Millisecond):
		}
		left = unreaped(left)
	}
	for _, pid := range left {
		signalProcess(pid, syscall.SIGKILL)
	}
	for stop := time.Now().Add(reapLimit); len(left) > 0 && time.Now().Before(stop); {
		time.Sleep(time.Millisecond)
		left = unreaped(left)
	}
	return len(alive)
}

// ReapExited collects the exit status of drover's children that have
// exited and are no job's main process: processes that jobs left running
// outside their process groups, and that have ended since. drover is a
// child subreaper, so they become its children; a long-lived process (a
// worker) calls this now and then, so that they do not pile up as zombies
// until the end. It returns how many it reaped. It may be called from any
// goroutine, while jobs run.
func (e *ProcessExecutor) ReapExited() int {
	var zombies []int
	for _, pid := range childProcesses() {
		if state(pid) == 'Z' {
			zombies = append(zombies, pid)
		}
	}
	if len(zombies) == 0 {
		return 0
	}
	e.starting.Lock() // no main process is between its start and its entry in mains
	defer e.starting.Unlock()
	n := 0
	for _, pid := range zombies {
		if _, main := e.mains.Load(pid); !main && reap(pid) {
			n++
		}
	}
	return n
}

// signalProcess signals a process and, when it leads a process group of
// its own, that group.
func signalProcess(pid int, sig syscall.Signal) {
	if pgid, err := unix.Getpgid(pid); err == nil && pgid == pid {
		_ = syscall.Kill(-pid, sig)
	}
	_ = syscall.Kill(pid, sig)
}

// unreaped reaps those of pids that have exited and returns the others.
func unreaped(pids []int) []int {
	var left []int
	for _, pid := range pids {
		if !reap(pid) {
			left = append(left, pid)
		}
	}
	return left
}

// reap collects the exit status of the child pid if it has exited, and
// reports whether it is gone.
func reap(pid int) bool {
	var ws unix.WaitStatus
	got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	return got == pid || err == unix.ECHILD
}

// childProcesses lists the processes whose parent is drover, but for its
// watchdogs.
func childProcesses() []int {
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parent(pid); ok && ppid == self && !isWatchdog(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// stat returns the fields of /proc/PID/stat after the command name.
func stat(pid int) [][]byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return bytes.Fields(b[i+1:])
}

func parent(pid int) (int, bool) {
	f := stat(pid)
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(f[1]))
	return ppid, err == nil
}

func state(pid int) byte {
	if f := stat(pid); len(f) > 0 && len(f[0]) > 0 {
		return f[0][0]
	}
	return 0
}

// isWatchdog reports whether pid is a watchdog this process started.
func isWatchdog(pid int) bool {
	_, ok := watchdogs.Load(pid)
	return ok
}
