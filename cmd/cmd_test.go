package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"

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
		{[]string{"--jobs", "0"}, 0, 0, 0, "--jobs must be at least 1"},
		{[]string{"--queue", "-1"}, 0, 0, 0, "--queue must be at least 1"},
		{[]string{"--retries", "101"}, 0, 0, 0, "--retries must be from 0 to 100"},
		{[]string{"--timeout", "-1s"}, 0, 0, 0, "durations must not be negative"},
		{[]string{"--resume"}, 0, 0, 0, "--resume needs --results"},
		{[]string{"--shell", ""}, 0, 0, 0, "--shell must not be empty"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _ := TestStreams("")
			opts := newRunOptions()
			fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
			opts.addFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := opts.runConfig(ios)
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

func TestShellQuoteRoundTrips(t *testing.T) {
	argv := []string{"printf", "%s|", "plain", "two words", "it's", "", "tab\there", "new\nline", `back\slash`, "$HOME", "ünï"}
	quoted := shellQuote(argv)
	if strings.Contains(quoted, "\n") {
		t.Fatalf("quoted argv spans lines: %q", quoted)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is needed to read $'…' back")
	}
	out, err := exec.Command(bash, "-c", quoted).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(argv[2:], "|") + "|"; string(out) != want {
		t.Errorf("bash read back %q, want %q", out, want)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "1024": 1024, "1KiB": 1024, "512K": 512 << 10, "1MiB": 1 << 20, "2M": 2 << 20, "1GiB": 1 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%s: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1.5MiB", "lots", "2GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n          int
		word, want string
	}{{0, "job", "0 jobs"}, {1, "job", "1 job"}, {2, "retry", "2 retries"}, {1, "retry", "1 retry"}} {
		if got := plural(tt.n, tt.word); got != tt.want {
			t.Errorf("plural(%d, %q) = %q", tt.n, tt.word, got)
		}
	}
}

func TestValidateWithBuffers(t *testing.T) {
	ios, out, errOut := TestStreams("{\"cmd\":\"true\"}\n{\"cmd\":\"true\",\"retries\":-1}\n")
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
			ios, out, errOut := TestStreams(jobs, "PATH=/usr/bin:/bin")
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

// fakeStopper records what the signal watcher asked of it.
type fakeStopper struct{ drained, stopped int }

func (f *fakeStopper) Drain()       { f.drained++ }
func (f *fakeStopper) Stop()        { f.stopped++ }
func (f *fakeStopper) Kill()        {}
func (f *fakeStopper) Running() int { return 7 }

func TestHandoverBeforeAndAfterTheRunStarts(t *testing.T) {
	h := &handover{}
	if h.wasInterrupted() || h.Running() != 0 {
		t.Fatal("fresh handover interrupted")
	}
	h.Drain() // a Ctrl-C while the input is validated
	r := &fakeStopper{}
	if !h.wasInterrupted() || h.start(r) {
		t.Fatal("the run starts after a signal")
	}

	h = &handover{}
	if !h.start(r) {
		t.Fatal("the run does not start")
	}
	h.Drain()
	h.Stop()
	if r.drained != 1 || r.stopped != 1 || h.Running() != 7 || h.wasInterrupted() {
		t.Errorf("signals did not reach the runner: %+v", r)
	}
}

func TestCheckAllStopsWhenInterrupted(t *testing.T) {
	dec := jobspec.NewDecoder(strings.NewReader(strings.Repeat(`{"cmd":"true"}`+"\n", 5000)), "jobs", jobspec.Options{})
	calls := 0
	res, err := checkAll(dec, jobspec.Shard{}, func(error) {}, func() bool { calls++; return calls > 2 })
	if err != errInterrupted || res.records >= 5000 {
		t.Fatalf("err %v after %d records", err, res.records)
	}
}

func TestInterruptedBeforeRun(t *testing.T) {
	ios, _, errOut := TestStreams("")
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

func TestSummaryListsTwentyFailures(t *testing.T) {
	var failures []failure
	for i := range maxListedFailures {
		job := &jobspec.Job{ID: "j" + strings.Repeat("x", i)}
		failures = append(failures, failure{res: &runner.Result{Job: job, Status: runner.Failed, ExitCode: new(int)}})
	}
	var b strings.Builder
	printSummary(&b, newPalette(false), runner.Summary{Counts: runner.Counts{Jobs: 30, Failed: 22, TimedOut: 3}}, failures)
	if n := strings.Count(b.String(), "  failed: "); n != maxListedFailures || !strings.Contains(b.String(), "  … and 5 more\n") {
		t.Errorf("%d listed:\n%s", n, b.String())
	}
}
