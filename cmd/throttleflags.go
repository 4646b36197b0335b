package cmd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/drover/drover/runner"
)

// throttleOptions are the flags that decide when a job may start.
type throttleOptions struct {
	delay   time.Duration
	rate    string
	memfree string
	load    string
}

func (o *throttleOptions) addFlags(fs *pflag.FlagSet) {
	fs.DurationVar(&o.delay, "delay", 0, "at least `DUR` between two job starts")
	fs.StringVar(&o.rate, "rate", "", "at most N job starts a second (`N/s`), a minute (N/m), an hour (N/h) or per DUR (N/DUR)")
	fs.StringVar(&o.memfree, "memfree", "", "start a job only while `SIZE` of memory is available; below half of it, stop the youngest job and start it again later")
	fs.StringVar(&o.load, "load", "", "start a job only while fewer than `N` processes are runnable (N, or N%, +N, -N of the CPUs)")
}

// throttle checks the flags and turns them into a runner.Throttle.
func (o *throttleOptions) throttle() (runner.Throttle, error) {
	t := runner.Throttle{Delay: o.delay}
	if o.delay < 0 {
		return t, usageError("--delay must not be negative, got %s", o.delay)
	}
	if o.rate != "" {
		r, err := parseRate(o.rate)
		if err != nil {
			return t, usageError("--rate: %v", err)
		}
		t.Rate = r
	}
	if o.memfree != "" {
		n, err := parseSize(o.memfree, 1, 1<<60)
		if err != nil {
			return t, usageError("--memfree: %v", err)
		}
		t.MemFree = n
	}
	if o.load != "" {
		n, ok := cpuRelative(o.load, runner.CPUs("/"))
		if !ok || n <= 0 {
			return t, usageError("--load: %q is not a positive number, or N%%, +N, -N of the CPUs", o.load)
		}
		t.Load = n
	}
	return t, nil
}

// jobsValue is --jobs: N, or, as GNU parallel takes it, N% of the CPUs
// (rounded down), or +N / -N added to or taken from them, never below 1.
// The CPUs are runner.CPUs: the cgroup CPU quota counts.
type jobsValue struct {
	n    *int
	cpus func() int
}

func newJobsValue(n *int, def int) jobsValue {
	*n = def
	return jobsValue{n: n, cpus: func() int { return runner.CPUs("/") }}
}

func (v jobsValue) String() string { return strconv.Itoa(*v.n) }
func (v jobsValue) Type() string   { return "N" }

func (v jobsValue) Set(s string) error {
	if s == "0" {
		*v.n = jobsAsManyAsPossible(openFileLimit())
		return nil
	}
	relative := strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "%")
	if n, err := strconv.Atoi(s); err == nil && !relative {
		*v.n = n // a plain count: a bad one is refused with the other checks
		return nil
	}
	f, ok := cpuRelative(s, v.cpus())
	if !ok || !relative || f > math.MaxInt32 {
		return fmt.Errorf("want N, N%%, +N or -N (of the CPUs)")
	}
	*v.n = max(int(f), 1)
	return nil
}
