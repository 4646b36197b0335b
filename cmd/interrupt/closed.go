package interrupt

import (
	"io"
	"os"
)

// WatchClosed calls onClosed once, from its own goroutine, when w is a pipe
// whose reader has gone away (drover run … | head): drover then learns of
// it even while it writes nothing, as in raw mode where the jobs write to
// the pipe themselves. stop ends the watching and waits for the goroutine.
func WatchClosed(w io.Writer, onClosed func()) (stop func()) {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return func() {}
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return func() {}
	}
	var fd int
	if err := raw.Control(func(p uintptr) { fd = int(p) }); err != nil {
		return func() {}
	}
	wakeR, wakeW, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if readerGone(fd, int(wakeR.Fd())) {
			onClosed()
		}
	}()
	return func() {
		wakeW.Close()
		<-done
		wakeR.Close()
	}
}
