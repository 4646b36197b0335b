package runner

import (
	"time"

	"golang.org/x/sys/unix"
)

// reapLimit bounds the wait for a killed group's processes to die.
const reapLimit = 5 * time.Second

// reapGroup reaps the processes of the group pgid that are drover's
// children. Where drover is a child subreaper (reap_linux.go), the orphans
// of a job are handed to it rather than to init, so these are all that is
// left of the group; elsewhere, it then waits until the group is empty
// (groupGone). Waiting by process group never takes the status of another
// job's process, as wait(-1) could. It returns once no process of the
// group is left, or after limit.
func reapGroup(pgid int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	pause := 100 * time.Microsecond
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-pgid, &ws, unix.WNOHANG, nil)
		switch {
		case err == unix.EINTR || pid > 0:
			continue
		case err != nil && groupGone(pgid):
			return // ECHILD: none left
		case time.Now().After(deadline):
			return
		}
		time.Sleep(pause) // killed, not yet dead: SIGKILL is delivered asynchronously
		pause = min(2*pause, 10*time.Millisecond)
	}
}
