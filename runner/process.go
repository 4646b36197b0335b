package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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
	// Watchdog, when set, learns each job's process group as it starts,
	// and stops the groups it knows when drover dies.
	Watchdog *Watchdog

	once    sync.Once
	base    baseEnv  // Environ, prepared once
	devNull *os.File // every job's stdin unless it has input
	initErr error

	found sync.Map // PATH and name -> the program found

	blockedWaits atomic.Int64 // attempts waiting in wait4, each holding a thread

	// starting is held for reading while a job's main process starts and
	// is entered in mains, and for writing while ReapExited reaps, so that
	// ReapExited never takes a main process's exit status from its Wait.
	starting sync.RWMutex
	mains    sync.Map // pid -> struct{}: jobs' main processes not yet waited for
	// suspended, guarded by starting, is set between Suspend and Continue:
	// a job that starts then is stopped at once.
	suspended bool
}

// init prepares what every job shares: the base environment and an open
// /dev/null.
func (e *ProcessExecutor) init() error {
	e.once.Do(func() {
		e.base = newBaseEnv(e.Environ)
		e.devNull, e.initErr = os.Open(os.DevNull)
	})
	return e.initErr
}

// Execute starts the attempt and waits for it. Output reaches a.Stdout and
// a.Stderr through pipes that Execute owns and drains. Once the job's main
// process has exited, whatever it left in its process group is killed, and
// pipes still held open by processes that escaped the group are closed
// after the kill grace, so Execute never waits forever.
func (e *ProcessExecutor) Execute(ctx context.Context, a Attempt) Outcome {
	if err := e.init(); err != nil {
		return Outcome{Err: fmt.Errorf("cannot start: %w", err)}
	}
	spec, err := e.command(a)
	if err != nil {
		return Outcome{Err: err}
	}
	var p pipes
	defer p.closeAll()
	if err := p.attach(a, e.devNull); err != nil {
		return Outcome{Err: fmt.Errorf("cannot start: %w", err)}
	}
	c, err := e.start(spec, p.fds)
	if err != nil {
		return Outcome{Err: fmt.Errorf("cannot start: %w", err)}
	}
	p.started()
	pgid := c.pid
	e.Watchdog.Watch(pgid)

	// The attempt's goroutine waits for the process itself; a stop, when
	// ctx ends first, runs beside it and ends once the process has.
	exited := make(chan struct{})
	stopped := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		defer close(stopped)
		e.stop(pgid, exited, a.KillNow)
	})
	ws := c.wait()
	if !c.polled() {
		e.blockedWaits.Add(-1)
	}
	e.mains.Delete(pgid)
	close(exited)
	var out Outcome
	if !stopAfter() { // the stop has begun: no signal of it may come after the reaping below
		<-stopped
		out.Stopped = true
	}
	// Nothing of the group outlives the job's main process: kill what is
	// left, and wait until it is gone.
	signalGroup(pgid, syscall.SIGKILL)
	reapGroup(pgid, reapLimit)
	e.Watchdog.Forget(pgid)
	p.drain(e.KillGrace)

	out.ExitCode, out.Signal = exitStatus(ws)
	if ws.ok {
		out.Usage = usageOf(&ws.rusage)
	}
	return out
}

// start starts the attempt's main process. When a remembered program has
// gone, it is looked up again, once.
func (e *ProcessExecutor) start(spec *spawnSpec, fds [3]int) (*child, error) {
	c, err := e.spawnMain(spec, fds)
	if err != nil && spec.foundKey != "" && errors.Is(err, syscall.ENOENT) {
		e.found.Delete(spec.foundKey)
		if spec.path, err = e.lookPath(spec.argv[0], spec.pathEnv, spec.dir); err != nil {
			return nil, err
		}
		c, err = e.spawnMain(spec, fds)
	}
	if err != nil {
		return nil, startError(spec.path, err)
	}
	return c, nil
}

// maxBlockedWaits is how many attempts may wait for their process in
// wait4, a thread each; the others wait through the poller.
const maxBlockedWaits = 32

// spawnMain spawns a main process and enters it in mains.
func (e *ProcessExecutor) spawnMain(spec *spawnSpec, fds [3]int) (*child, error) {
	e.starting.RLock()
	defer e.starting.RUnlock()
	blocking := e.blockedWaits.Add(1) <= maxBlockedWaits
	c, err := spawn(spec, fds, !blocking)
	if err != nil || c.polled() {
		e.blockedWaits.Add(-1)
	}
	if err == nil {
		e.mains.Store(c.pid, struct{}{})
		if e.suspended {
			signalGroup(c.pid, syscall.SIGSTOP)
		}
	}
	return c, err
}

// stop sends SIGTERM (and SIGCONT, so stopped members can act on it) to the
// group, then SIGKILL after the grace or at once when killNow closes,
// unless the main process has exited first.
func (e *ProcessExecutor) stop(pgid int, exited, killNow <-chan struct{}) {
	signalGroup(pgid, syscall.SIGTERM)
	signalGroup(pgid, syscall.SIGCONT)
	grace := time.NewTimer(e.KillGrace)
	defer grace.Stop()
	select {
	case <-exited:
		return
	case <-grace.C:
	case <-killNow:
	}
	signalGroup(pgid, syscall.SIGKILL)
}

func signalGroup(pgid int, sig syscall.Signal) {
	_ = syscall.Kill(-pgid, sig) // ESRCH: the group is already gone
}

// command builds the process for an attempt: argv, environment, directory
// and program.
func (e *ProcessExecutor) command(a Attempt) (*spawnSpec, error) {
	job := a.Job
	argv := job.Argv
	if job.Shell {
		shell := e.Shell
		if shell == "" {
			shell = "/bin/sh"
		}
		argv = []string{shell, "-c", job.Argv[0]}
	}
	env, pathEnv := e.base.environ(a)
	if job.Dir != "" {
		if fi, err := os.Stat(job.Dir); err != nil {
			return nil, fmt.Errorf("cannot start: dir %w", unwrapPathError(err))
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("cannot start: dir %s is not a directory", job.Dir)
		}
	}
	spec := &spawnSpec{argv: argv, env: env, dir: job.Dir, pathEnv: pathEnv}
	var err error
	spec.path, spec.foundKey, err = e.find(argv[0], pathEnv, job.Dir)
	if err != nil {
		return nil, fmt.Errorf("cannot start: %w", err)
	}
	return spec, nil
}

// find is lookPath through what was found before: thousands of jobs
// running the same program then cost one search, not a stat of every PATH
// entry each. A remembered program is not checked again here: when it has
// gone, exec fails with ENOENT and start looks it up again. foundKey is
// the entry used, empty when none was.
func (e *ProcessExecutor) find(name, pathEnv, dir string) (path, foundKey string, err error) {
	if cacheable(name, pathEnv) {
		key := pathEnv + "\x00" + name
		if p, ok := e.found.Load(key); ok {
			return p.(string), key, nil
		}
	}
	path, err = e.lookPath(name, pathEnv, dir)
	return path, "", err
}

// cacheable reports whether a look-up of name in pathEnv depends on
// nothing but the files in PATH's directories: not on the job's dir.
func cacheable(name, pathEnv string) bool {
	return !strings.Contains(name, "/") && !strings.Contains(":"+pathEnv+":", ":.") && !strings.Contains(pathEnv, "::")
}

// lookPath finds a program as lookPath does and remembers it for find when
// the look-up depends on PATH alone.
func (e *ProcessExecutor) lookPath(name, pathEnv, dir string) (string, error) {
	p, err := lookPath(name, pathEnv, dir)
	if err == nil && filepath.IsAbs(p) && cacheable(name, pathEnv) {
		e.found.Store(pathEnv+"\x00"+name, p)
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

// startError says which program could not be started, and why.
func startError(path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", path, err)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

func exitStatus(x exit) (*int, string) {
	switch {
	case !x.ok:
		return nil, ""
	case x.status.Signaled():
		return nil, unix.SignalName(x.status.Signal())
	}
	code := x.status.ExitStatus()
	return &code, ""
}
