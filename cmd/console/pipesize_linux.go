//go:build linux && !drover_posix

package console

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// outPipeSize is what drover's stdout and stderr are given when they are
// pipes and drover copies the jobs' output into them (group and tag): its
// writes are then rarely held up by a reader that takes its time.
const outPipeSize = 1 << 20

// growPipe enlarges w when it is a pipe; failing (a limit on pipe sizes)
// changes nothing.
func growPipe(w io.Writer) {
	f, ok := w.(*os.File)
	if !ok {
		return
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, outPipeSize) })
	}
}
