package cmd

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/rivo/uniseg"
)

// ptyRun is drover running under a pseudo-terminal: the process, the
// terminal, what it shows, and its exit.
type ptyRun struct {
	cmd    *exec.Cmd
	tty    *os.File
	scr    *screen
	exited <-chan error
	copied <-chan struct{} // closed once all drover wrote is on scr
}

// wait waits for drover to exit and for all it wrote to be on the screen,
// and returns its exit.
func (r ptyRun) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.exited:
		<-r.copied
		return err
	case <-time.After(awaitLimit):
		t.Fatalf("drover did not finish:\n%q", r.scr.String())
		return nil
	}
}

// startUnderPTY starts drover ARGS in dir under a pseudo-terminal of cols
// columns.
func startUnderPTY(t *testing.T, dir string, cols uint16, args ...string) ptyRun {
	t.Helper()
	drover, err := exec.LookPath("drover")
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(drover, args...)
	c.Dir = dir
	c.Env = append(os.Environ(), "TERM=xterm", "CI=", "NO_COLOR=")
	tty, err := pty.StartWithSize(c, &pty.Winsize{Rows: 24, Cols: cols})
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
	return ptyRun{c, tty, scr, exited, copied}
}

// barDraw is one drawing of the bar: what follows an erase of the line up
// to the next carriage return or newline, when it starts with the count of
// succeeded jobs; sgr is a colour sequence in it.
var (
	barDraw = regexp.MustCompile("\r\x1b\\[2K(✓[^\r\n]*)")
	sgr     = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

// TestBarInANarrowTerminal runs drover under a terminal 40 columns wide:
// the bar never holds more than 39 columns (so it never wraps and leaves
// no stale copy), it is drawn again right after each line of job output,
// and after Ctrl-C it says the run is draining instead of an ETA.
func TestBarInANarrowTerminal(t *testing.T) {
	dir := t.TempDir()
	var jobs strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&jobs, `{"id":"a-rather-long-job-name-%d","cmd":"jobh hold speak; echo hello from %d; jobh hold release"}`+"\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "jobs.ndjson"), []byte(jobs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run := startUnderPTY(t, dir, 40, "run", "-j", "3", "--output", "tag", "jobs.ndjson")
	c, scr := run.cmd, run.scr
	scr.waitFor(t, regexp.MustCompile(`▶ 3/3 .*0/6`))
	if err := os.WriteFile(filepath.Join(dir, "speak"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	scr.waitFor(t, regexp.MustCompile(`(?s)(hello from \d.*){3}`))

	if err := c.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	scr.waitFor(t, regexp.MustCompile(`draining`))
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = run.wait(t) // 130: interrupted
	out := scr.String()
	// Each line of output is followed at once by the bar, drawn again.
	for _, m := range regexp.MustCompile(`hello from \d\r?\n(.{0,8})`).FindAllStringSubmatch(out, -1) {
		if !strings.HasPrefix(m[1], "\r\x1b[2K✓") {
			t.Errorf("after a line of job output comes %q, not the bar", m[1])
		}
	}
	draws := barDraw.FindAllStringSubmatch(out, -1)
	if len(draws) == 0 {
		t.Fatalf("no bar drawn:\n%q", out)
	}
	for _, d := range draws {
		if w := uniseg.StringWidth(sgr.ReplaceAllString(d[1], "")); w > 39 {
			t.Errorf("a bar %d columns wide on a terminal of 40: %q", w, d[1])
		}
		if strings.Contains(d[1], "draining") && strings.Contains(d[1], "ETA") {
			t.Errorf("an ETA while draining: %q", d[1])
		}
	}
	if !strings.Contains(out, "3 not started") {
		t.Errorf("summary:\n%q", out)
	}
}

// TestNoBarWhileTypingItems: while drover reads the items from the
// terminal, nothing draws on the line where they are typed.
func TestNoBarWhileTypingItems(t *testing.T) {
	run := startUnderPTY(t, t.TempDir(), 80, "run", "--cmd", "echo typed {}; jobh sleep 400ms")
	run.scr.waitFor(t, regexp.MustCompile(`reading the items from the terminal`))
	if _, err := run.tty.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	run.scr.waitFor(t, regexp.MustCompile(`typed first`))
	if _, err := run.tty.Write([]byte("second\n\x04")); err != nil {
		t.Fatal(err)
	}
	if err := run.wait(t); err != nil {
		t.Fatalf("drover: %v\n%q", err, run.scr.String())
	}
	out := run.scr.String()
	if !strings.Contains(out, "typed second") {
		t.Fatalf("the second item did not run:\n%q", out)
	}
	if strings.Contains(out, "\x1b[2K") || strings.Contains(out, " done, ") {
		t.Errorf("a bar was drawn while items were typed:\n%q", out)
	}
}
