package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ProcessExecutor runs each attempt as a child process in a session (and
// so a process group) of its own. Its fields are set before first use and
// never changed; Execute may then be called from many goroutines.
type ProcessExecutor struct {
	Shell     string        // for string commands; "/bin/sh" when empty
	KillGrace time.Duration // between SIGTERM and SIGKILL
	Environ   []string      // the environment every job starts from

	found sync.Map // PATH and name -> the program found

	// starting is held for reading while a job's main process starts and
	// is entered in mains, and for writing while ReapExited reaps, so that
	// ReapExited never takes a main process's exit status from its Wait.
	starting sync.RWMutex
	mains    sync.Map // pid -> struct{}: jobs' main processes not yet waited for
	// suspended, guarded by starting, is set between Suspend and Continue:
	// a job that starts then is stopped at once.
	suspended bool
}

// Execute starts the attempt and waits for it. Output reaches a.Stdout and
// a.Stderr through pipes that Execute owns and drains. Once the job's main
// process has exited, whatever it left in its process group is killed, and
// pipes still held open by processes that escaped the group are closed
// after the kill grace, so Execute never waits forever.
func (e *ProcessExecutor) Execute(ctx context.Context, a Attempt) Outcome {
	cmd, err := e.command(a)
	if err != nil {
		return Outcome{Err: err}
	}
	var p pipes
	defer p.closeAll()
	if err := p.attach(cmd, a); err != nil {
		return Outcome{Err: fmt.Errorf("cannot start: %w", err)}
	}
	e.starting.RLock()
	err = cmd.Start()
	if err == nil {
		e.mains.Store(cmd.Process.Pid, struct{}{})
		if e.suspended {
			signalGroup(cmd.Process.Pid, syscall.SIGSTOP)
		}
	}
	e.starting.RUnlock()
	if err != nil {
		return Outcome{Err: fmt.Errorf("cannot start: %w", startError(err))}
	}
	p.started()
	pgid := cmd.Process.Pid

	waited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		e.mains.Delete(pgid)
		waited <- err
	}()
	var out Outcome
	var waitErr error
	select {
	case waitErr = <-waited:
	case <-ctx.Done():
		out.Stopped = true
		waitErr = e.stop(pgid, waited, a.KillNow)
	}
	// Nothing of the group outlives the job's main process: kill what is
	// left, and wait until it is gone.
	signalGroup(pgid, syscall.SIGKILL)
	reapGroup(pgid, reapLimit)
	p.drain(e.KillGrace)

	out.ExitCode, out.Signal = exitStatus(cmd.ProcessState, waitErr)
	return out
}

// stop sends SIGTERM (and SIGCONT, so stopped members can act on it) to the
// group, then SIGKILL after the grace or at once when killNow closes, and
// returns the main process's wait error.
func (e *ProcessExecutor) stop(pgid int, waited <-chan error, killNow <-chan struct{}) error {
	signalGroup(pgid, syscall.SIGTERM)
	signalGroup(pgid, syscall.SIGCONT)
	grace := time.NewTimer(e.KillGrace)
	defer grace.Stop()
	select {
	case err := <-waited:
		return err
	case <-grace.C:
	case <-killNow:
	}
	signalGroup(pgid, syscall.SIGKILL)
	return <-waited
}

func signalGroup(pgid int, sig syscall.Signal) {
	_ = syscall.Kill(-pgid, sig) // ESRCH: the group is already gone
}

// command builds the process for an attempt: argv, environment, directory,
// and its own session so that it is a process group of its own and has no
// controlling terminal to stop on.
func (e *ProcessExecutor) command(a Attempt) (*exec.Cmd, error) {
	job := a.Job
	argv := job.Argv
	if job.Shell {
		shell := e.Shell
		if shell == "" {
			shell = "/bin/sh"
		}
		argv = []string{shell, "-c", job.Argv[0]}
	}
	env := make([]string, 0, len(e.Environ)+len(job.Env)+3)
	env = append(env, e.Environ...)
	for _, v := range job.Env {
		env = append(env, v.Key+"="+v.Value)
	}
	env = append(env, "DROVER_JOB_ID="+job.ID, "DROVER_ATTEMPT="+strconv.Itoa(a.Number))
	if a.Slot > 0 {
		env = append(env, "DROVER_JOB_SLOT="+strconv.Itoa(a.Slot))
	}
	if job.Dir != "" {
		if fi, err := os.Stat(job.Dir); err != nil {
			return nil, fmt.Errorf("cannot start: dir %w", unwrapPathError(err))
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("cannot start: dir %s is not a directory", job.Dir)
		}
	}
	path, err := e.lookPath(argv[0], lastValue(env, "PATH"), job.Dir)
	if err != nil {
		return nil, fmt.Errorf("cannot start: %w", err)
	}
	return &exec.Cmd{
		Path: path,
		Args: argv,
		Env:  env,
		Dir:  job.Dir,
		SysProcAttr: &syscall.SysProcAttr{
			Setsid:    true,
			Pdeathsig: syscall.SIGKILL,
		},
	}, nil
}

// lookPath finds a program as lookPath does, remembering what it found for
// names looked up in absolute PATH directories: thousands of jobs running
// the same program then cost one search, not a stat of every PATH entry
// each. A remembered program that has gone is looked up again.
func (e *ProcessExecutor) lookPath(name, pathEnv, dir string) (string, error) {
	if strings.Contains(name, "/") || strings.Contains(":"+pathEnv+":", ":.") || strings.Contains(pathEnv, "::") {
		return lookPath(name, pathEnv, dir) // relative entries depend on dir
	}
	key := pathEnv + "\x00" + name
	if p, ok := e.found.Load(key); ok {
		if _, err := os.Stat(p.(string)); err == nil {
			return p.(string), nil
		}
		e.found.Delete(key)
	}
	p, err := lookPath(name, pathEnv, dir)
	if err == nil && filepath.IsAbs(p) {
		e.found.Store(key, p)
	}
	return p, err
}

// lookPath finds a program the way a shell would, in the job's own PATH.
func lookPath(name, pathEnv, dir string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil // relative names resolve against the job's dir
	}
	for _, d := range filepath.SplitList(pathEnv) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%q: executable file not found in PATH", name)
}

func lastValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// startError strips exec's wrapping down to what a person needs.
func startError(err error) error { return unwrapPathError(err) }

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

func exitStatus(ps *os.ProcessState, waitErr error) (*int, string) {
	if ps == nil {
		return nil, ""
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return nil, unix.SignalName(ws.Signal())
	}
	code := ps.ExitCode()
	return &code, ""
}
