package cmd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"

	"github.com/drover/drover/runner"
)

// The test binary doubles as drover and as jobh, the helper program the
// scripts' jobs run, so scripts need nothing from the host but /bin/sh.
// When it runs the tests, it also checks that none left a goroutine behind.
func TestMain(m *testing.M) {
	testscript.Main(leakChecked{m}, map[string]func(){
		"drover": func() { os.Exit(Main()) },
		"jobh":   jobhMain,
	})
}

// leakChecked runs the tests, then fails the run if any goroutine is left.
type leakChecked struct{ m *testing.M }

func (l leakChecked) Run() int {
	code := l.m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			return 1
		}
	}
	return code
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../testdata/script",
		RequireExplicitExec: true,
		// [subreaper]: drover is a child subreaper (Linux without the
		// drover_posix tag), so what jobs leave running is in its reach.
		Condition: func(cond string) (bool, error) {
			if cond == "subreaper" {
				return runner.Subreaper, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			dir, err := os.Getwd()
			env.Setenv("REPO", filepath.Dir(dir))
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"spawn":        cmdSpawn,
			"sig":          cmdSig,
			"await":        cmdAwait,
			"waitfile":     cmdWaitfile,
			"waitfor":      cmdWaitfor,
			"startgaps":    cmdStartgaps,
			"alive":        cmdAlive,
			"stopped":      cmdStopped,
			"gone":         cmdGone,
			"cleanup":      cmdCleanup,
			"exitcode":     cmdExitcode,
			"natsserver":   cmdNATSServer,
			"natsqueued":   cmdNATSQueued,
			"junitcheck":   cmdJUnitCheck,
			"eventcheck":   cmdEventCheck,
			"eventorder":   cmdEventOrder,
			"schemacheck":  cmdSchemaCheck,
			"schemavalid":  cmdSchemaValid,
			"browsercheck": cmdBrowserCheck,
		},
	})
}

// awaitLimit bounds every wait in the scripts, so a bug shows as a failure
// instead of a hang.
const awaitLimit = 60 * time.Second

type spawned struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func lookPath(ts *testscript.TestScript, prog string) string {
	if strings.Contains(prog, "/") {
		return prog
	}
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, prog); isExecutable(p) {
			return p
		}
	}
	ts.Fatalf("%s not found in PATH", prog)
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// spawn [-stdin FILE] NAME PROG ARGS... starts a command in the background,
// with stdout and stderr in NAME.stdout and NAME.stderr. It is killed when
// the script ends, should the script not await it.
func cmdSpawn(ts *testscript.TestScript, neg bool, args []string) {
	stdin := ""
	if len(args) > 1 && args[0] == "-stdin" {
		stdin, args = args[1], args[2:]
	}
	if neg || len(args) < 2 {
		ts.Fatalf("usage: spawn [-stdin FILE] NAME PROG ARGS...")
	}
	name := args[0]
	c := exec.Command(lookPath(ts, args[1]), args[2:]...)
	c.Args[0] = args[1]
	c.Dir = ts.MkAbs(".")
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range []string{"WORK", "HOME", "PATH", "TMPDIR", "CI", "GITHUB_ACTIONS", "NO_COLOR", "NATS_URL", "DROVER_NATS_PREFIX"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	c.Env = env
	out, err := os.Create(ts.MkAbs(name + ".stdout"))
	ts.Check(err)
	errf, err := os.Create(ts.MkAbs(name + ".stderr"))
	ts.Check(err)
	c.Stdout, c.Stderr = out, errf
	if stdin != "" {
		f, err := os.Open(ts.MkAbs(stdin))
		ts.Check(err)
		c.Stdin = f
	}
	ts.Check(c.Start())
	s := &spawned{cmd: c, done: make(chan struct{})}
	go func() {
		s.err = c.Wait()
		out.Close()
		errf.Close()
		close(s.done)
	}()
	ts.Defer(func() {
		select {
		case <-s.done:
		default:
			c.Process.Kill()
			<-s.done
		}
	})
	register(ts, name, s)
}

// spawnedBy holds each running script's spawned commands by name.
var (
	spawnedMu sync.Mutex
	spawnedBy = map[*testscript.TestScript]map[string]*spawned{}
)

func register(ts *testscript.TestScript, name string, s *spawned) {
	spawnedMu.Lock()
	defer spawnedMu.Unlock()
	m := spawnedBy[ts]
	if m == nil {
		m = map[string]*spawned{}
		spawnedBy[ts] = m
		ts.Defer(func() {
			spawnedMu.Lock()
			defer spawnedMu.Unlock()
			delete(spawnedBy, ts)
		})
	}
	m[name] = s
}

// spawnedNamed is the spawned command of that name, or nil.
func spawnedNamed(ts *testscript.TestScript, name string) *spawned {
	spawnedMu.Lock()
	defer spawnedMu.Unlock()
	return spawnedBy[ts][name]
}

func proc(ts *testscript.TestScript, name string) *spawned {
	spawnedMu.Lock()
	p := spawnedBy[ts][name]
	spawnedMu.Unlock()
	if p == nil {
		ts.Fatalf("no spawned command %q", name)
	}
	return p
}

// sig NAME SIGNAL sends a signal (INT, TERM, HUP, KILL, TSTP, CONT, USR1,
// USR2) to a spawned command.
func cmdSig(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sig NAME INT|TERM|HUP|KILL|TSTP|STOP|CONT|USR1|USR2")
	}
	sigs := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "HUP": syscall.SIGHUP, "KILL": syscall.SIGKILL,
		"TSTP": syscall.SIGTSTP, "STOP": syscall.SIGSTOP, "CONT": syscall.SIGCONT, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2}
	sig, ok := sigs[args[1]]
	if !ok {
		ts.Fatalf("unknown signal %s", args[1])
	}
	ts.Check(proc(ts, args[0]).cmd.Process.Signal(sig))
}

// await NAME CODE waits for a spawned command to exit with CODE.
func cmdAwait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: await NAME CODE")
	}
	p := proc(ts, args[0])
	select {
	case <-p.done:
	case <-time.After(awaitLimit):
		ts.Fatalf("%s did not exit within %s", args[0], awaitLimit)
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	if got := p.cmd.ProcessState.ExitCode(); got != want {
		ts.Fatalf("%s exited %d (%v), want %d", args[0], got, p.err, want)
	}
}

// waitfile PATH [LINES] waits until PATH exists (and has at least LINES
// lines).
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: waitfile PATH [LINES]")
	}
	lines := 0
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		lines = n
	}
	deadline := time.Now().Add(awaitLimit)
	for {
		if b, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && strings.Count(string(b), "\n") >= lines {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within %s", args[0], awaitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exitcode CODE PROG ARGS... runs a command in the foreground and checks
// its exit code; stdout and stderr can then be matched as after exec.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode CODE PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}
