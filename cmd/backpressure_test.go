package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestBackpressureReachesTheProducer feeds drover jobs through a pipe while
// its only worker is held: once the queue, drover's read buffer and the
// pipe are full, the producer's writes block, until the jobs may finish.
// The same holds for items that a --cmd template makes jobs of.
func TestBackpressureReachesTheProducer(t *testing.T) {
	for _, input := range [][]string{{"--format", "lines"}, {"--cmd", "sh -c {}"}} {
		t.Run(input[0], func(t *testing.T) { testBackpressure(t, input) })
	}
}

func testBackpressure(t *testing.T, input []string) {
	drover, err := exec.LookPath("drover")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := exec.Command(drover, append([]string{"run", "-q", "-j", "1", "--queue", "2"}, input...)...)
	c.Dir = dir
	stdin, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	t.Cleanup(func() {
		c.Process.Kill()
		<-exited
	})

	const jobs = 500
	// About 4 KiB a line: drover's 64 KiB read buffer and the pipe's
	// 64 KiB hold some 32 lines; the queue, the worker and intake 4 more.
	const bound = 32 + 2 + 1 + 1 + 8
	// The first job holds the only worker until the test releases it.
	pad := " # " + strings.Repeat("p", 4000) + "\n"
	hold, quick := []byte("jobh hold release started.pid"+pad), []byte("true"+pad)
	var written atomic.Int64
	produced := make(chan error, 1)
	go func() {
		defer stdin.Close()
		for i := range jobs {
			line := quick
			if i == 0 {
				line = hold
			}
			if _, err := stdin.Write(line); err != nil {
				produced <- err
				return
			}
			written.Add(1)
		}
		produced <- nil
	}()

	waitForFile(t, filepath.Join(dir, "started.pid"))
	// The first job runs and holds its worker. Watch the producer for a
	// while: a slow machine can only make it write less, never more.
	for range 100 {
		if n := written.Load(); n > bound {
			t.Fatalf("the producer wrote %d jobs while drover could take at most %d", n, bound)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-produced:
		if err != nil {
			t.Fatalf("producer: %v", err)
		}
	case <-time.After(awaitLimit):
		t.Fatal("the producer never finished")
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("drover: %v", err)
		}
	case <-time.After(awaitLimit):
		t.Fatal("drover did not finish")
	}
	if written.Load() != jobs {
		t.Fatalf("wrote %d of %d jobs", written.Load(), jobs)
	}
}

func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(awaitLimit)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
