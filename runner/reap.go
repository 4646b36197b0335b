package runner

import (
	"time"

	"golang.org/x/sys/unix"
)

// reapLimit bounds the wait for a killed group's processes to die.
const reapLimit = 5 * time.Second

// reapGroup reaps the processes of the group pgid that have become
// drover's children: drover is a child subreaper, so the orphans of a job
// are handed to it rather than to init. Waiting by process group never
// takes the status of another job's process, as wait(-1) could. It returns
// once no process of the group is left among drover's children, or after
// limit.
func reapGroup(pgid int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	pause := 100 * time.Microsecond
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-pgid, &ws, unix.WNOHANG, nil)
		switch {
		case err == unix.EINTR || pid > 0:
			continue
		case err != nil:
			return // ECHILD: none left
		case time.Now().After(deadline):
			return
		}
		time.Sleep(pause) // killed, not yet dead: SIGKILL is delivered asynchronously
		pause = min(2*pause, 10*time.Millisecond)
	}
}

// BecomeSubreaper makes the calling process a child subreaper, so that the
// orphaned processes of its jobs become its children and can be reaped by
// process group. It affects the whole process and is called once, before
// any job starts.
func BecomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}
