package cmd

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// screen collects what drover writes to its terminal.
type screen struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until the output matches re.
func (s *screen) waitFor(t *testing.T, re *regexp.Regexp) {
	t.Helper()
	deadline := time.After(awaitLimit)
	for !re.MatchString(s.String()) {
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("no %s on the terminal; it shows:\n%q", re, s.String())
		}
	}
}

var ansi = regexp.MustCompile(`^\x1b\[[0-9;]*[A-Za-z]`)

// visibleLines replays terminal output the way a terminal shows it:
// carriage returns move to the start of the line, erase-line sequences
// clear it, text overwrites what is under the cursor. It returns every line
// as it stood when the cursor left it.
func visibleLines(s string) []string {
	var lines []string
	var line []rune
	col := 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\n':
			lines = append(lines, strings.TrimRight(string(line), " "))
			line, col = nil, 0
			i++
		case c == '\r':
			col = 0
			i++
		case c == 0x1b:
			m := ansi.FindString(s[i:])
			if m == "" {
				i++
				continue
			}
			switch m {
			case "\x1b[2K":
				line = nil
			case "\x1b[0K", "\x1b[K":
				line = line[:min(col, len(line))]
			}
			i += len(m)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			for len(line) < col {
				line = append(line, ' ')
			}
			if col < len(line) {
				line[col] = r
			} else {
				line = append(line, r)
			}
			col++
			i += size
		}
	}
	return append(lines, strings.TrimRight(string(line), " "))
}

// TestBarUnderATerminal runs drover under a real pseudo-terminal: the bar
// shows while jobs run, every line of job output arrives whole above it,
// and the final screen holds the summary.
func TestBarUnderATerminal(t *testing.T) {
	drover, err := exec.LookPath("drover")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var jobs strings.Builder
	var want []string
	for i := 1; i <= 6; i++ {
		first := fmt.Sprintf("job %d says hello %s", i, strings.Repeat("=", 40))
		second := fmt.Sprintf("job %d says goodbye %s", i, strings.Repeat("-", 40))
		want = append(want, first, second)
		fmt.Fprintf(&jobs, `{"id":"j%d","cmd":"echo '%s'; jobh hold release; echo '%s'"}`+"\n", i, first, second)
	}
	if err := os.WriteFile(filepath.Join(dir, "jobs.ndjson"), []byte(jobs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(drover, "run", "-j", "3", "jobs.ndjson")
	c.Dir = dir
	c.Env = append(os.Environ(), "TERM=xterm", "CI=", "NO_COLOR=")
	tty, err := pty.StartWithSize(c, &pty.Winsize{Rows: 40, Cols: 140})
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	scr := &screen{changed: make(chan struct{}, 1)}
	copied := make(chan struct{})
	go func() {
		io.Copy(scr, tty) // ends with EIO once drover has exited
		close(copied)
	}()
	t.Cleanup(func() {
		c.Process.Kill()
		tty.Close()
		<-copied
	})

	// Three jobs run and hold: the bar must show them running, 0 of 6 done.
	scr.waitFor(t, regexp.MustCompile(`▶ 3/3 .* 0/6 `)) // running of at most -j
	// Ctrl-Z: the bar says paused before drover stops; fg continues it;
	// SIGUSR1 shows a limit of 4.
	for _, step := range []struct {
		sig  syscall.Signal
		want string
	}{
		{syscall.SIGTSTP, `paused: 3 running jobs stopped(.|\n)*▶ 3/3 .*⏸ paused`},
		{syscall.SIGCONT, `resumed: (.|\n)*▶ 3/3 [^⏸]*$`},
		{syscall.SIGUSR1, `SIGUSR1: up to 4 jobs run at once now(.|\n)*▶ 3/4 `},
	} {
		if err := c.Process.Signal(step.sig); err != nil {
			t.Fatal(err)
		}
		scr.waitFor(t, regexp.MustCompile(step.want))
		for deadline := time.Now().Add(awaitLimit); step.sig == syscall.SIGTSTP && procState(c.Process.Pid) != "T"; {
			if time.Now().After(deadline) { // drover stops itself
				t.Fatalf("drover did not stop itself:\n%q", scr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("drover: %v\n%q", err, scr.String())
		}
	case <-time.After(awaitLimit):
		t.Fatalf("drover did not finish:\n%q", scr.String())
	}
	<-copied

	out := scr.String()
	lines := visibleLines(out)
	for _, w := range want {
		found := false
		for _, line := range lines {
			if line == w {
				found = true
			} else if strings.Contains(line, w[:14]) {
				t.Errorf("job output broken: %q", line)
			}
		}
		if !found {
			t.Errorf("line %q did not arrive whole", w)
		}
	}
	// The final screen: the summary last, and no bar left on it.
	var summary []string
	for i, line := range lines {
		if strings.HasPrefix(line, "drover: 6 jobs in") {
			summary = lines[i:]
		}
	}
	final := strings.Join(summary, "\n")
	if !strings.Contains(final, "6 succeeded, 0 failed") || strings.Contains(final, "▶") {
		t.Errorf("final screen:\n%s\nall output: %q", final, out)
	}
}
