//go:build darwin || freebsd

package interrupt

import "golang.org/x/sys/unix"

// readerGone waits until the reader of the pipe fd has gone away, and
// reports true, or until wake is readable or closed, and reports false.
// darwin's poll reports nothing on a pipe's write end unless asked for
// writability, which a pipe with room has at once; kqueue's write filter
// sets EV_EOF when the reader disconnects, and, edge-triggered
// (EV_CLEAR), wakes only when the room in the pipe changes.
func readerGone(fd, wake int) bool {
	kq, err := unix.Kqueue()
	if err != nil {
		return false
	}
	defer unix.Close(kq)
	changes := make([]unix.Kevent_t, 2)
	unix.SetKevent(&changes[0], fd, unix.EVFILT_WRITE, unix.EV_ADD|unix.EV_CLEAR)
	unix.SetKevent(&changes[1], wake, unix.EVFILT_READ, unix.EV_ADD)
	if _, err := unix.Kevent(kq, changes, nil, nil); err != nil {
		return false
	}
	events := make([]unix.Kevent_t, 2)
	for {
		n, err := unix.Kevent(kq, nil, events, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return false
		}
		for _, ev := range events[:n] {
			switch {
			case int(ev.Ident) == wake:
				return false
			case ev.Flags&unix.EV_EOF != 0:
				return true
			}
		}
	}
}
