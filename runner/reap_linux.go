//go:build linux && !drover_posix

package runner

import "golang.org/x/sys/unix"

// Subreaper reports whether BecomeSubreaper makes drover a child
// subreaper: the orphans of its jobs, escaped daemons included, then
// become its children.
const Subreaper = true

// BecomeSubreaper makes the calling process a child subreaper, so that the
// orphaned processes of its jobs become its children and can be reaped by
// process group. It affects the whole process and is called once, before
// any job starts.
func BecomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// groupGone reports whether nothing is left of the group pgid once none
// of drover's children is in it: as a subreaper, drover inherits every
// orphan of the group, so nothing is.
func groupGone(pgid int) bool { return true }
