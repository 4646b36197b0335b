package runner

import (
	"syscall"
	"time"
)

// Usage is what a job cost, as the kernel counts it for a process that
// has been waited for (wait4's rusage): the job's main process together
// with the children it waited for itself. A process the job started and
// left behind, which drover reaps or kills, is not in it.
type Usage struct {
	// MaxRSS is the largest resident set, in bytes, of the main process
	// or of any one child it waited for: a peak, not a sum.
	MaxRSS int64
	// User and Sys are the CPU time spent in user and kernel mode.
	User, Sys time.Duration
}

// Add counts one more attempt: CPU times add up, the peak is the largest.
func (u *Usage) Add(v Usage) {
	u.MaxRSS = max(u.MaxRSS, v.MaxRSS)
	u.User += v.User
	u.Sys += v.Sys
}

// CPU is the user and kernel time together.
func (u Usage) CPU() time.Duration { return u.User + u.Sys }

// usageOf reads a waited-for process's rusage.
func usageOf(ru *syscall.Rusage) Usage {
	return Usage{
		MaxRSS: int64(ru.Maxrss) * maxRSSUnit,
		User:   time.Duration(ru.Utime.Nano()),
		Sys:    time.Duration(ru.Stime.Nano()),
	}
}
