package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadSource reads how busy the machine is. Runnable is called from one
// goroutine at a time.
type LoadSource interface {
	Runnable() (float64, error)
}

// ProcLoad reads the number of runnable processes and threads from the
// fourth field of proc/loadavg under Root (the machine's "/" but in
// tests), less one for the thread of drover that reads it. Unlike the
// load averages of the first three fields, it is what runs now, so a
// limit on it reacts at once to jobs starting and ending.
type ProcLoad struct {
	Root string
}

// Runnable returns the processes and threads ready to run now.
func (p ProcLoad) Runnable() (float64, error) {
	name := filepath.Join(p.Root, "proc/loadavg")
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 4 {
		return 0, fmt.Errorf("%s: %q has no runnable/total field", name, b)
	}
	running, _, _ := strings.Cut(f[3], "/")
	n, err := strconv.Atoi(running)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a count of runnable processes", name, running)
	}
	return float64(max(n-1, 0)), nil
}
