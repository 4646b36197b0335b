//go:build !linux || drover_posix

package runner

import "syscall"

// Subreaper reports whether BecomeSubreaper makes drover a child
// subreaper: not here.
const Subreaper = false

// BecomeSubreaper does nothing here: only Linux has child subreapers (see
// reap_linux.go). The orphans of a job go to init, which reaps them, and
// groupGone watches for them to end.
func BecomeSubreaper() error { return nil }

// groupGone reports whether no process of the group pgid is left: drover
// may not signal the group any more. A zombie that init has not yet reaped
// still counts.
func groupGone(pgid int) bool {
	return syscall.Kill(-pgid, 0) == syscall.ESRCH
}
