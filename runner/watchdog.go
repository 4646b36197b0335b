package runner

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Watchdog is drover's handle on its watchdog: a small process of its own
// (drover re-executed) that stops the jobs' process groups when drover
// dies, however it dies, SIGKILL included. The watchdog reads a pipe from
// drover: drover writes each job's process group to it as the job starts
// (Watch) and again once the group is gone (Forget). When the pipe closes
// without a word, drover has died: the watchdog sends SIGTERM (and
// SIGCONT) to every group it still knows, then SIGKILL after the kill
// grace. Watch and Forget may be called from any goroutine; Close is
// called once, after every job has ended. A nil *Watchdog watches nothing.
type Watchdog struct {
	cmd  *exec.Cmd
	pipe *os.File // drover's end, close-on-exec: no job inherits it
}

// watchdogs are the pids of the watchdogs this process started: its
// children, but no job's, which stopEscaped and ReapExited leave alone.
var watchdogs sync.Map // pid -> struct{}

// StartWatchdog starts the watchdog: program with args (args[0] included)
// is to call ServeWatchdog with its stdin. It runs in a session of its
// own, so neither a terminal's signals nor a signal to drover's process
// group reach it, with stdout and stderr on /dev/null, so it holds none
// of drover's output open.
func StartWatchdog(program string, args []string) (*Watchdog, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("watchdog: %w", err)
	}
	defer r.Close()
	cmd := &exec.Cmd{Path: program, Args: args, Stdin: r, SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("watchdog: %w", err)
	}
	watchdogs.Store(cmd.Process.Pid, struct{}{})
	return &Watchdog{cmd: cmd, pipe: w}, nil
}

// Watch tells the watchdog about the process group of a job that has
// started.
func (d *Watchdog) Watch(pgid int) { d.tell('+', pgid) }

// Forget tells the watchdog that the process group of a job is gone.
func (d *Watchdog) Forget(pgid int) { d.tell('-', pgid) }

// tell writes one line, "+PGID" or "-PGID": a write of a few bytes to a
// pipe is atomic, whoever else writes. A watchdog that has gone makes the
// write fail, and there is nothing to do about it.
func (d *Watchdog) tell(op byte, pgid int) {
	if d == nil {
		return
	}
	var b [24]byte
	line := append(strconv.AppendInt(append(b[:0], op), int64(pgid), 10), '\n')
	_, _ = d.pipe.Write(line)
}

// Close closes drover's end of the pipe and waits for the watchdog to
// exit, which it does at once when it knows no group.
func (d *Watchdog) Close() error {
	if d == nil {
		return nil
	}
	d.pipe.Close()
	err := d.cmd.Wait()
	watchdogs.Delete(d.cmd.Process.Pid)
	if err != nil {
		return fmt.Errorf("watchdog: %w", err)
	}
	return nil
}

// ServeWatchdog is the watchdog: it reads what drover writes to r (see
// Watchdog) until r ends, then stops every process group it still knows:
// SIGTERM and SIGCONT, then SIGKILL once grace has passed, unless every
// group is gone first. A group is counted, not just marked: should a pid
// be reused, the Watch of its new group may come before the Forget of the
// old one.
func ServeWatchdog(r io.Reader, grace time.Duration) error {
	groups, err := readGroups(r)
	if len(groups) == 0 {
		return err
	}
	signalAll(groups, syscall.SIGTERM)
	signalAll(groups, syscall.SIGCONT)
	for deadline := time.Now().Add(grace); len(groups) > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		for pgid := range groups {
			if syscall.Kill(-pgid, 0) == syscall.ESRCH {
				delete(groups, pgid)
			}
		}
	}
	signalAll(groups, syscall.SIGKILL)
	return err
}

// readGroups reads lines of "+PGID" and "-PGID" until r ends and returns
// the groups that came more often with + than with -. A read error ends
// it as the end does: drover is as good as gone.
func readGroups(r io.Reader) (map[int]int, error) {
	groups := map[int]int{}
	sc := bufio.NewScanner(pacedReader{r: r, pace: watchdogPace})
	for sc.Scan() {
		line := sc.Bytes()
		pgid, err := strconv.Atoi(string(line[min(1, len(line)):]))
		if err != nil || pgid <= 1 || (line[0] != '+' && line[0] != '-') {
			continue // not drover's: a group it never named is not touched
		}
		if line[0] == '+' {
			groups[pgid]++
		} else if groups[pgid]--; groups[pgid] <= 0 {
			delete(groups, pgid)
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, os.ErrClosed) {
		return groups, fmt.Errorf("watchdog: %w", err)
	}
	return groups, nil
}

// watchdogPace is how long the watchdog rests after each read that brought
// something. drover writes two short lines a job; read as they come, each
// would wake the watchdog and cost drover a switch of processes on a busy
// machine. Resting lets them gather in the pipe (a few thousand jobs' worth
// fit), and the end of the pipe is still seen within one pace.
const watchdogPace = 20 * time.Millisecond

// pacedReader rests for pace after every read that returned data.
type pacedReader struct {
	r    io.Reader
	pace time.Duration
}

func (p pacedReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 && err == nil {
		time.Sleep(p.pace)
	}
	return n, err
}

func signalAll(groups map[int]int, sig syscall.Signal) {
	for pgid := range groups {
		_ = syscall.Kill(-pgid, sig)
	}
}
