// Command peakrss runs a command and reports its peak resident set size.
//
//	peakrss FILE CMD ARGS...
//
// It writes the peak RSS in bytes to FILE and exits with the command's exit
// code (128+N when it was killed by signal N); the command's streams are
// peakrss's own. It exists because Linux carries a parent's memory
// high-water mark into a forked child's ru_maxrss across exec: measured from
// a large parent (a test binary under the race detector), a small child
// looks large. peakrss itself stays a few megabytes.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: peakrss FILE CMD ARGS...")
		os.Exit(2)
	}
	c := exec.Command(os.Args[2], os.Args[3:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := c.Run()
	if c.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(2)
	}
	rss := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024
	if err := os.WriteFile(os.Args[1], []byte(strconv.FormatInt(rss, 10)+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(2)
	}
	ws := c.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(ws.ExitStatus())
}
