package runner

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// SpoolDir is a private directory (mode 0700) for captured output. It is
// created on first use; Remove deletes it with everything in it. Its
// methods are safe for concurrent use.
type SpoolDir struct {
	mu   sync.Mutex
	path string
	err  error
}

func (d *SpoolDir) dir() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.path == "" && d.err == nil {
		d.path, d.err = os.MkdirTemp("", "drover-spool-") // MkdirTemp makes it 0700
	}
	return d.path, d.err
}

// Remove deletes the directory and every file in it.
func (d *SpoolDir) Remove() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.path == "" {
		return nil
	}
	err := os.RemoveAll(d.path)
	d.path = ""
	return err
}

// NewCapture makes a Capture in the directory: an unnamed file (O_TMPFILE)
// where the kernel offers one, so that nothing has to be removed, or else a
// named one.
func (d *SpoolDir) NewCapture() (*Capture, error) {
	dir, err := d.dir()
	if err != nil {
		return nil, err
	}
	if f, err := os.OpenFile(dir, os.O_RDWR|unix.O_TMPFILE, 0o600); err == nil {
		return &Capture{f: f, dir: dir}, nil
	}
	f, err := os.CreateTemp(dir, "out-") // mode 0600
	if err != nil {
		return nil, err
	}
	return &Capture{f: f, dir: dir, name: f.Name()}, nil
}

// Capture holds one stream of a job's output in a file (mode 0600) of a
// SpoolDir. The job writes to File itself, so no memory of drover's and no
// copying goroutine is spent on it, however much it prints. Once the job
// has ended, one goroutine may read it back, Park it and Close it.
type Capture struct {
	f    *os.File // nil once parked or closed
	dir  string
	name string // empty while the file has no name
}

// File is what the job gets as its stdout or stderr.
func (c *Capture) File() *os.File { return c.f }

func (c *Capture) open() (*os.File, func(), error) {
	if c.f != nil {
		return c.f, func() {}, nil
	}
	f, err := os.Open(c.name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// Len is the number of bytes captured.
func (c *Capture) Len() int64 {
	f, done, err := c.open()
	if err != nil {
		return 0
	}
	defer done()
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Tail returns up to n of the last bytes captured.
func (c *Capture) Tail(n int) []byte {
	f, done, err := c.open()
	if err != nil {
		return nil
	}
	defer done()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	off := max(fi.Size()-int64(n), 0)
	b := make([]byte, fi.Size()-off)
	m, _ := f.ReadAt(b, off)
	return b[:m]
}

// EndsLine reports whether the output is empty or ends with a newline.
func (c *Capture) EndsLine() bool {
	last := c.Tail(1)
	return len(last) == 0 || last[0] == '\n'
}

// WriteTo copies everything captured, in order, to w.
func (c *Capture) WriteTo(w io.Writer) (int64, error) {
	f, done, err := c.open()
	if err != nil {
		return 0, err
	}
	defer done()
	return io.CopyBuffer(w, io.NewSectionReader(f, 0, 1<<62), make([]byte, 256<<10))
}

// Park closes the file but keeps it, so that a finished job waiting for its
// turn to be written holds no file descriptor. An unnamed file is given a
// name in the directory first.
func (c *Capture) Park() error {
	if c.f == nil {
		return nil
	}
	if c.name == "" {
		name := filepath.Join(c.dir, "parked-"+strconv.Itoa(int(c.f.Fd()))+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
		proc := "/proc/self/fd/" + strconv.Itoa(int(c.f.Fd()))
		if err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW); err != nil {
			return nil // keep the descriptor: better than losing the output
		}
		c.name = name
	}
	err := c.f.Close()
	c.f = nil
	return err
}

// Close releases the file: it closes it, and removes it when it has a name.
func (c *Capture) Close() error {
	var err error
	if c.f != nil {
		err = c.f.Close()
		c.f = nil
	}
	if c.name != "" {
		err = os.Remove(c.name)
		c.name = ""
	}
	return err
}
