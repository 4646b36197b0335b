package runner

import (
	"io"
	"os"
	"sync"
)

// DefaultSpoolLimit is how much of one stream a Spool keeps in memory.
const DefaultSpoolLimit = 1 << 20

// SpoolDir is a private directory (mode 0700) for output that outgrows
// memory. It is created on first use; Remove deletes it with everything in
// it. Its methods are safe for concurrent use.
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

// Remove deletes the directory and every spill file in it.
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

// Spool holds one stream of a job's output: the first Limit bytes in
// memory, the rest in a file (mode 0600) in the SpoolDir. One goroutine
// writes; once the writes have ended, another may WriteTo and Close.
type Spool struct {
	Dir   *SpoolDir
	Limit int // DefaultSpoolLimit when 0

	mem    []byte
	file   *os.File
	parked string // the spill file's name once Park has closed it
	size   int64
	last   byte  // the last byte written
	err    error // the first spill error; later writes are dropped
}

func (s *Spool) Write(p []byte) (int, error) {
	n := len(p)
	if n == 0 {
		return 0, nil
	}
	s.size += int64(n)
	s.last = p[n-1]
	limit := s.Limit
	if limit <= 0 {
		limit = DefaultSpoolLimit
	}
	if s.file == nil && len(s.mem)+len(p) <= limit {
		s.mem = append(s.mem, p...)
		return n, nil
	}
	if s.err != nil {
		return n, nil // keep draining the job; the error is reported by WriteTo
	}
	if s.file == nil {
		dir, err := s.Dir.dir()
		if err == nil {
			s.file, err = os.CreateTemp(dir, "out-")
		}
		if err != nil {
			s.err = err
			return n, nil
		}
	}
	if _, err := s.file.Write(p); err != nil {
		s.err = err
	}
	return n, nil
}

// Park moves what memory holds to the spill file and closes it, so that a
// finished job waiting for its turn to be written holds neither memory nor
// a file descriptor. It is called after the writes have ended. When it
// fails, the spool is left as it was, memory and file, so that WriteTo
// still writes everything once.
func (s *Spool) Park() error {
	if s.size == 0 || s.parked != "" || s.err != nil {
		return nil
	}
	f, err := s.parkedCopy()
	if err != nil {
		return err
	}
	if s.file != nil {
		old := s.file.Name()
		s.file.Close()
		os.Remove(old)
	}
	s.file, s.mem = nil, nil
	s.parked = f
	return nil
}

// parkedCopy writes what the spool holds, memory then file, to a new
// spill file, closes it and returns its name. On failure it removes what
// it made.
func (s *Spool) parkedCopy() (string, error) {
	dir, err := s.Dir.dir()
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "out-")
	if err != nil {
		return "", err
	}
	err = s.copyInto(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func (s *Spool) copyInto(f *os.File) error {
	if _, err := f.Write(s.mem); err != nil {
		return err
	}
	if s.file == nil {
		return nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(f, s.file)
	return err
}

// Err is the first error of the spill file: what was written after it
// was dropped, and WriteTo writes only what came before.
func (s *Spool) Err() error { return s.err }

// EndsLine reports whether the output is empty or ends with a newline.
func (s *Spool) EndsLine() bool { return s.size == 0 || s.last == '\n' }

// Len is the number of bytes written.
func (s *Spool) Len() int64 { return s.size }

// WriteTo copies everything held, in order, to w. Its error is w's, or
// the spill file's when it cannot be read back; the spill's own failure is
// Err.
func (s *Spool) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(s.mem)
	total := int64(n)
	if err != nil {
		return total, err
	}
	file := s.file
	if s.parked != "" {
		if file, err = os.Open(s.parked); err != nil {
			return total, err
		}
		defer file.Close()
	}
	if file == nil {
		return total, nil
	}
	m, handled, err := sendFile(w, file)
	if !handled {
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			return total, err
		}
		m, err = io.Copy(w, file)
	}
	return total + m, err
}

// Close releases the memory and removes the spill file.
func (s *Spool) Close() error {
	s.mem = nil
	if s.parked != "" {
		name := s.parked
		s.parked = ""
		return os.Remove(name)
	}
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	s.file.Close()
	s.file = nil
	return os.Remove(name)
}
