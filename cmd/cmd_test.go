package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/drover/drover/cmd/iostreams"

	"github.com/spf13/pflag"
)

func TestRunConfigFromFlags(t *testing.T) {
	tests := []struct {
		args        []string
		queue       int
		maxFailures int
		budget      int
		err         string
	}{
		{nil, 8, 0, -1, ""},
		{[]string{"-j", "3"}, 6, 0, -1, ""},
		{[]string{"-j", "3", "--queue", "1"}, 1, 0, -1, ""},
		{[]string{"--fail-fast"}, 8, 1, -1, ""},
		{[]string{"--fail-fast", "--max-failures", "5"}, 8, 1, -1, ""},
		{[]string{"--max-failures", "5"}, 8, 5, -1, ""},
		{[]string{"--retry-budget", "0"}, 8, 0, 0, ""},
		{[]string{"--retry-budget", "unlimited"}, 8, 0, -1, ""},
		{[]string{"--jobs", "99999999"}, 0, 0, 0, "--jobs must be at most 65536"},
		{[]string{"--queue", "-1"}, 0, 0, 0, "--queue must be at least 1"},
		{[]string{"--retries", "101"}, 0, 0, 0, "--retries must be from 0 to 100"},
		{[]string{"--timeout", "-1s"}, 0, 0, 0, "durations must not be negative"},
		{[]string{"--resume"}, 0, 0, 0, "--resume needs --results"},
		{[]string{"--shell", ""}, 0, 0, 0, "--shell must not be empty"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _ := iostreams.Test("")
			opts := newRunOptions()
			fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
			opts.addFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, _, err := opts.runConfig(ios)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || exitCode(err) != exitUsage {
					t.Fatalf("err %v, want %q with exit 2", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Queue != tt.queue || cfg.MaxFailures != tt.maxFailures || cfg.RetryBudget != tt.budget {
				t.Errorf("queue %d, max failures %d, budget %d", cfg.Queue, cfg.MaxFailures, cfg.RetryBudget)
			}
		})
	}
}

func TestValidateWithBuffers(t *testing.T) {
	ios, out, errOut := iostreams.Test("{\"cmd\":\"true\"}\n{\"cmd\":\"true\",\"retries\":-1}\n")
	root := NewRootCmd(ios)
	root.SetArgs([]string{"validate"})
	if code := Execute(root, ios); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	if want := "<stdin>:2: field \"retries\": must be a whole number from 0 to 100, got -1\n<stdin>: 1 record invalid, 1 job valid\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestExitCodes(t *testing.T) {
	if exitCode(nil) != 0 || exitCode(silent(1)) != 1 || exitCode(usageError("x")) != 2 || exitCode(flagError{}) != 2 {
		t.Error("exit code mapping")
	}
	// A failure at run time is not a usage error; a silent exit is told
	// by its type, not by its text.
	if exitCode(runFailure(errors.New("worker: the queue keeps its jobs"))) != exitFailures {
		t.Error("a run-time failure is not exit 1")
	}
	if !printed(silent(2)) || printed(usageError("exit status 2")) {
		t.Error("printed tells a silent exit by its text")
	}
}

// TestRunInProcess runs jobs through the whole command with buffers for
// streams: output arrives, the exit code maps, and (through TestMain's
// goleak) every goroutine the run started has ended.
func TestRunInProcess(t *testing.T) {
	jobs := `{"id":"a","cmd":"echo out-a; echo err-a >&2"}` + "\n" + `{"id":"b","cmd":"exit 3"}` + "\n"
	for _, tt := range []struct {
		mode, stdout string
	}{
		{"group", "out-a\n"},
		{"tag", "[a] out-a\n"},
		{"raw", "out-a\n"},
		{"none", ""},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			ios, out, errOut := iostreams.Test(jobs, "PATH=/usr/bin:/bin")
			root := NewRootCmd(ios)
			root.SetArgs([]string{"run", "--output", tt.mode})
			if code := Execute(root, ios); code != exitFailures {
				t.Fatalf("exit %d; stderr %q", code, errOut)
			}
			if out.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", out, tt.stdout)
			}
			if !strings.Contains(errOut.String(), "2 jobs in") || !strings.Contains(errOut.String(), "failed: b (exit code 3, <stdin>:2)") {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

func TestInterruptedBeforeRun(t *testing.T) {
	ios, _, errOut := iostreams.Test("")
	path := filepath.Join(t.TempDir(), "sum.json")
	opts := newRunOptions()
	opts.summaryJSON = path
	err := interruptedBeforeRun(ios, opts, syscall.SIGINT)
	if exitCode(err) != exitSIGINT || !strings.Contains(errOut.String(), "SIGINT before any job started") ||
		!strings.Contains(errOut.String(), "0 jobs in") {
		t.Fatalf("exit %d, stderr %q", exitCode(err), errOut)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"interrupted":"SIGINT","exit_code":130`) {
		t.Errorf("summary file %s", b)
	}
}

// A run of one job at a time schedules on one processor, unless
// GOMAXPROCS is set; the previous setting comes back after the run.
func TestOneProcessorForOneJobAtATime(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	if before < 2 {
		t.Skip("one processor already")
	}
	ios, _, _ := iostreams.Test("")
	restore := oneProcessor(ios, 1)
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("-j 1: GOMAXPROCS %d, want 1", n)
	}
	restore()
	if n := runtime.GOMAXPROCS(0); n != before {
		t.Errorf("after the run: GOMAXPROCS %d, want %d", n, before)
	}
	oneProcessor(ios, 2)()
	set, _, _ := iostreams.Test("", "GOMAXPROCS=2")
	restore = oneProcessor(set, 1)
	if n := runtime.GOMAXPROCS(0); n != before {
		t.Errorf("-j 2 or GOMAXPROCS set: GOMAXPROCS %d, want %d", n, before)
	}
	restore()
}
