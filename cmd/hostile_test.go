package cmd

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// measuredDrover builds drover without the race detector, and peakrss,
// for tests that measure drover's memory. run wraps a drover command line
// in peakrss; peak reads the figure once it has exited.
type measuredDrover struct {
	bin, peakrss string
}

func buildMeasured(t *testing.T) measuredDrover {
	t.Helper()
	dir := t.TempDir()
	m := measuredDrover{bin: filepath.Join(dir, "drover"), peakrss: filepath.Join(dir, "peakrss")}
	for out, pkg := range map[string]string{m.bin: "..", m.peakrss: "../bench/peakrss"} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	return m
}

func (m measuredDrover) command(rssFile string, args ...string) *exec.Cmd {
	return exec.Command(m.peakrss, append([]string{rssFile, m.bin}, args...)...)
}

func peak(t *testing.T, rssFile string) int64 {
	t.Helper()
	b, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHostileInput feeds drover input meant to break it. Each case must end
// in exit 2 with the position of the fault, within bounded memory, without
// a panic or a hang. Slow (it builds drover and pushes 60 MB through it):
// it runs with DROVER_SLOW_TESTS set, as .ci/run does.
func TestHostileInput(t *testing.T) {
	if os.Getenv("DROVER_SLOW_TESTS") == "" {
		t.Skip("set DROVER_SLOW_TESTS=1 to run")
	}
	drover := buildMeasured(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 4<<20)
	for i := range random {
		random[i] = byte(rnd.Uint32())
	}
	tests := []struct {
		name   string
		input  func(w io.Writer)
		asFile bool
		args   []string
		want   string
	}{
		{"random bytes", func(w io.Writer) { w.Write(random) }, false, nil, "<stdin>:1: "},
		{"random bytes as lines of NDJSON", func(w io.Writer) { w.Write([]byte("{")); w.Write(random) }, false, nil, "<stdin>:1: "},
		{"random bytes as a JSON array", func(w io.Writer) { w.Write([]byte("[")); w.Write(random) }, false, nil, "<stdin>:"},
		{"deeply nested array", func(w io.Writer) { w.Write(bytes.Repeat([]byte("["), 900_000)) }, false, nil, "<stdin>:1: unexpected end of input"},
		{"deeply nested field", func(w io.Writer) {
			w.Write([]byte(`{"cmd":"x","env":`))
			w.Write(bytes.Repeat([]byte("["), 500_000))
			w.Write(bytes.Repeat([]byte("]"), 500_000))
			w.Write([]byte("}\n"))
		}, false, nil, "<stdin>:1: "},
		{"60 MB line without a newline", func(w io.Writer) {
			w.Write([]byte(`{"cmd":"`))
			chunk := bytes.Repeat([]byte("x"), 1<<20)
			for range 60 {
				w.Write(chunk)
			}
		}, false, nil, "<stdin>:1: record is larger than --max-record-size (1 MiB)"},
		{"2 MB record in a file", func(w io.Writer) {
			w.Write([]byte("{\"cmd\":\"true\"}\n{\"cmd\":\"echo " + strings.Repeat("y", 2<<20) + "\"}\n"))
		}, true, nil, "jobs:2: record is larger than --max-record-size (1 MiB)"},
		{"invalid UTF-8", func(w io.Writer) { w.Write([]byte("{\"cmd\":\"true\"}\n{\"cmd\":\"\xc3\x28\"}\n")) }, true, nil, "jobs:2: record is not valid UTF-8"},
		{"raw NUL in a string", func(w io.Writer) { w.Write([]byte("{\"cmd\":\"a\x00b\"}\n")) }, true, nil, "jobs:1: invalid JSON"},
		{"NUL in lines", func(w io.Writer) { w.Write([]byte("true\nec\x00ho\n")) }, true, []string{"--format", "lines"}, "jobs:2: the command contains a NUL byte"},
		{"numbers out of range", func(w io.Writer) { w.Write([]byte(`{"cmd":"x","retries":1e999999,"timeout":-1e999999}` + "\n")) }, true, nil, "jobs:1: field \"retries\""},
		{"id with a control character", func(w io.Writer) { w.Write([]byte(`{"cmd":"x","id":"a\u001bb"}` + "\n")) }, true, nil, "jobs:1: field \"id\": contains the control character U+001B"},
		{"a million empty records", func(w io.Writer) { w.Write(bytes.Repeat([]byte("{}\n"), 1_000_000)) }, true, nil, "jobs:1: field \"cmd\" is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"run", "-q"}, tt.args...)
			rssFile := filepath.Join(dir, "rss")
			c := drover.command(rssFile, args...)
			c.Dir = dir
			var stderr bytes.Buffer
			c.Stderr = &stderr
			if tt.asFile {
				f, err := os.Create(filepath.Join(dir, "jobs"))
				if err != nil {
					t.Fatal(err)
				}
				tt.input(f)
				f.Close()
				c.Args = append(c.Args, "jobs")
			} else {
				in, err := c.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				go func() {
					defer in.Close()
					tt.input(in) // drover may stop reading early: EPIPE ends this
				}()
			}
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- c.Wait() }()
			select {
			case <-exited:
			case <-time.After(awaitLimit):
				c.Process.Kill()
				<-exited
				t.Fatal("drover hung")
			}
			if code := c.ProcessState.ExitCode(); code != 2 {
				t.Errorf("exit %d, want 2; stderr: %.300s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr does not name the fault %q: %.300s", tt.want, stderr.String())
			}
			if strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine ") {
				t.Errorf("drover panicked: %.2000s", stderr.String())
			}
			rss := peak(t, rssFile)
			t.Logf("peak RSS %.1f MB", float64(rss)/(1<<20))
			if rss > 100<<20 {
				t.Errorf("peak RSS %d bytes", rss)
			}
		})
	}
}
