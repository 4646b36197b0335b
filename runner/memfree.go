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
// drover runs in a cgroup v2 group with a memory limit, that limit less
// what the group uses (memory.max - memory.current), for the group and
// each of its parents. The smallest figure wins.
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
	for _, dir := range cgroupDirs(p.Root) {
		maxS, ok1 := readCgroupFile(dir, "memory.max")
		curS, ok2 := readCgroupFile(dir, "memory.current")
		if !ok1 || !ok2 || maxS == "max" {
			continue
		}
		limit, err1 := strconv.ParseInt(maxS, 10, 64)
		used, err2 := strconv.ParseInt(curS, 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		avail = min(avail, max(limit-used, 0))
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
		src = ProcMemory{Root: "/"}
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
	return fmt.Sprintf("stopped for want of memory: %d bytes available, below %d", e.Available, e.Threshold)
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
