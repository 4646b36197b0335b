package cmd

import "syscall"

// maxJobsForZero bounds -j 0.
const maxJobsForZero = 1024

// jobsAsManyAsPossible is -j 0, GNU parallel's "as many as possible": as
// many jobs as the open-file limit gives descriptors for, 8 each (pipes,
// spill files, saved output) after 64 for drover itself, from 1 up to
// maxJobsForZero.
func jobsAsManyAsPossible(nofile uint64) int {
	if nofile < 64+8 {
		return 1
	}
	return int(min((nofile-64)/8, maxJobsForZero))
}

// openFileLimit is the soft limit on open files (RLIMIT_NOFILE), or a
// common default when it cannot be read.
func openFileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 1024
	}
	return uint64(lim.Cur) // int64 on FreeBSD
}
