package cmd

import (
	"io"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/creack/pty"
)

// drover reading its input from the terminal says so, as GNU parallel does
// (the commonest slip is a forgotten ::: or pipe), and takes what is typed
// up to Ctrl-D.
func TestInputFromTheTerminal(t *testing.T) {
	drover, err := exec.LookPath("drover")
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(drover, "run", "--cmd", "echo typed {}")
	c.Dir = t.TempDir()
	c.Env = append(os.Environ(), "TERM=xterm", "CI=", "NO_COLOR=")
	tty, err := pty.Start(c)
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

	scr.waitFor(t, regexp.MustCompile(`drover: reading the items from the terminal; end it with Ctrl-D`))
	if _, err := tty.Write([]byte("word\n\x04")); err != nil {
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
	if !regexp.MustCompile(`(?m)^typed word\r?$`).MatchString(scr.String()) {
		t.Errorf("the typed item did not run:\n%q", scr.String())
	}
}
