package cmd

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// alive PIDFILE... succeeds when every process named in the files (one pid
// a line) is alive; ! alive when none is. Zombies count as dead. Processes
// found alive are killed when the script ends.
func cmdAlive(ts *testscript.TestScript, neg bool, args []string) {
	for _, file := range args {
		for _, pid := range readPIDs(ts, file) {
			live := processAlive(pid)
			if live {
				ts.Defer(func() { syscall.Kill(pid, syscall.SIGKILL) })
			}
			if live == neg {
				ts.Fatalf("process %d (from %s): alive=%v", pid, file, live)
			}
		}
	}
}

// readPIDs reads the pids in a file, one a line.
func readPIDs(ts *testscript.TestScript, file string) []int {
	b, err := os.ReadFile(ts.MkAbs(file))
	ts.Check(err)
	var pids []int
	for _, field := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(field)
		ts.Check(err)
		pids = append(pids, pid)
	}
	return pids
}

// gone PIDFILE... waits until every process named in the files has died.
func cmdGone(ts *testscript.TestScript, neg bool, args []string) {
	deadline := time.Now().Add(awaitLimit)
	for _, file := range args {
		for _, pid := range readPIDs(ts, file) {
			for processAlive(pid) {
				if time.Now().After(deadline) {
					syscall.Kill(pid, syscall.SIGKILL)
					ts.Fatalf("process %d (from %s) is still alive", pid, file)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
}

// cleanup PIDFILE... kills the processes named in the files, if they are
// alive, when the script ends: for processes a test lets escape.
func cmdCleanup(ts *testscript.TestScript, neg bool, args []string) {
	for _, file := range args {
		for _, pid := range readPIDs(ts, file) {
			ts.Defer(func() {
				if processAlive(pid) {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			})
		}
	}
}

func processAlive(pid int) bool {
	s := procState(pid)
	return s != "" && s != "Z"
}

// stopped NAME|PIDFILE... waits until every process, a spawned command by
// name or those named in pid files, is stopped (state T in /proc);
// ! stopped waits until every one is running again (alive and not T).
func cmdStopped(ts *testscript.TestScript, neg bool, args []string) {
	var pids []int
	for _, arg := range args {
		if s := spawnedNamed(ts, arg); s != nil {
			pids = append(pids, s.cmd.Process.Pid)
		} else {
			pids = append(pids, readPIDs(ts, arg)...)
		}
	}
	deadline := time.Now().Add(awaitLimit)
	for _, pid := range pids {
		for {
			state := procState(pid)
			running := state != "T" && state != "" && state != "Z"
			if !neg && state == "T" || neg && running {
				break
			}
			if time.Now().After(deadline) {
				ts.Fatalf("process %d: state %q, want stopped=%v", pid, state, !neg)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// procState is a process's state letter in /proc (R, S, T, Z, ...), or ""
// when it is gone.
func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i > 0 && len(s) > i+2 {
		return s[i+2 : i+3]
	}
	return ""
}
