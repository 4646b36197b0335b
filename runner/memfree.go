package runner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MemorySource reads how much memory is available to new jobs. Available
// is called from one goroutine at a time.
type MemorySource interface {
	Available() (int64, error)
}

// ProcMemory reads the memory available from the files under Root (the
// machine's "/" but in tests): MemAvailable in proc/meminfo, and, when
// drover runs in a cgroup with a memory limit, that limit less what the
// group uses, for the group and each of its parents. The smallest figure
// wins. What a group uses is its working set, as the kubelet counts it:
// its memory less the file cache it could drop (inactive_file), since that
// cache fills any group that reads files. cgroup v2 gives memory.max and
// memory.current; v1 memory.limit_in_bytes and memory.usage_in_bytes.
type ProcMemory struct {
	Root string
}

// Available returns the bytes available.
func (p ProcMemory) Available() (int64, error) {
	name := filepath.Join(p.Root, "proc/meminfo")
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	avail, err := memAvailable(b)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	for _, g := range []struct {
		dirs                 []string
		limit, usage, cached string
	}{
		{cgroupDirs(p.Root), "memory.max", "memory.current", "inactive_file"},
		{cgroupV1Dirs(p.Root, "memory"), "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"},
	} {
		for _, dir := range g.dirs {
			limit, ok1 := readCgroupInt(dir, g.limit) // "max" (v2) does not parse: no limit
			used, ok2 := readCgroupInt(dir, g.usage)
			if !ok1 || !ok2 || limit >= 1<<62 { // v1 says "no limit" with a huge number
				continue
			}
			used -= min(cgroupStat(dir, g.cached), used)
			avail = min(avail, max(limit-used, 0))
		}
	}
	return avail, nil
}

func memAvailable(meminfo []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			break
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			break
		}
		if len(f) > 1 && f[1] == "kB" {
			n *= 1024
		}
		return n, nil
	}
	return 0, errors.New("no MemAvailable line (Linux 3.14 or later has one)")
}

func (t Throttle) memory() (MemorySource, error) {
	src := t.Memory
	if src == nil {
		src = defaultMemory()
	}
	if _, err := src.Available(); err != nil {
		return nil, err
	}
	return src, nil
}

// LowMemory is why an attempt was stopped to be started again: the memory
// available fell below half of Throttle.MemFree.
type LowMemory struct {
	Available, Threshold int64 // bytes
}

func (e *LowMemory) Error() string {
	return fmt.Sprintf("stopped for want of memory: %d MiB available, below %d MiB", e.Available>>20, e.Threshold>>20)
}

// watchMemory stops the youngest running attempt whenever the memory
// available falls below half of MemFree, waits for it to end, and looks
// again, until stop is closed. The attempt's job then waits at the gate
// to start again (runJob).
func (r *Runner) watchMemory(stop <-chan struct{}) {
	t := r.cfg.Throttle
	src, err := t.memory()
	if err != nil {
		return // New checked it; a source that fails now stops nothing
	}
	clock, poll, threshold := t.clock(), t.poll(), t.MemFree/2
	for {
		select {
		case <-stop:
			return
		case <-clock.After(poll):
		}
		avail, err := src.Available()
		if err != nil || avail >= threshold {
			continue
		}
		ended, ok := r.live.stopYoungest(&LowMemory{Available: avail, Threshold: threshold})
		if !ok {
			continue
		}
		select {
		case <-stop:
			return
		case <-ended:
		}
	}
}

// startMemoryWatch starts watchMemory when MemFree is set, and returns the
// function that stops it and waits for it to end.
func (r *Runner) startMemoryWatch() (stop func()) {
	if r.cfg.Throttle.MemFree <= 0 {
		return func() {}
	}
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		r.watchMemory(done)
	}()
	return func() {
		close(done)
		<-ended
	}
}

// trackAttempt makes an attempt's context one that watchMemory can stop,
// when MemFree is set; call the returned function once the attempt ended.
func (r *Runner) trackAttempt(ctx context.Context) (context.Context, func()) {
	if r.cfg.Throttle.MemFree <= 0 {
		return ctx, func() {}
	}
	return r.live.track(ctx)
}

// requeue handles an attempt stopped for want of memory: the job waits at
// the gate to start the same attempt again, and requeue reports true. It
// reports false, with res final, when the job may not start again: it was
// stopped too often, or no job may start any more.
func (r *Runner) requeue(res *Result, low *LowMemory, out Outcome) bool {
	res.Requeued++
	r.emit(Event{Kind: JobRequeued, Job: res.Job, Attempt: res.Attempts, Err: low})
	res.ExitCode, res.Signal = out.ExitCode, out.Signal
	if res.Requeued > MaxRequeues {
		res.Status = Failed
		res.Err = fmt.Errorf("stopped %d times for want of memory (--memfree), not started again", res.Requeued)
		return false
	}
	if r.intake.Err() == nil && r.gate.wait(r.intake.Done()) {
		return true
	}
	res.Status, res.Err = Canceled, errors.New("stopped for want of memory (--memfree), and no job may start any more")
	if r.jobs.Err() != nil {
		res.Err = context.Cause(r.jobs)
	}
	return false
}
