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

	mem  []byte
	file *os.File
	size int64
	err  error // the first spill error; later writes are dropped
}

func (s *Spool) Write(p []byte) (int, error) {
	n := len(p)
	s.size += int64(n)
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

// Len is the number of bytes written.
func (s *Spool) Len() int64 { return s.size }

// WriteTo copies everything held, in order, to w.
func (s *Spool) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(s.mem)
	total := int64(n)
	if err != nil || s.file == nil {
		return total, err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return total, err
	}
	m, err := io.Copy(w, s.file)
	total += m
	if err == nil && s.err != nil {
		err = s.err
	}
	return total, err
}

// Close releases the memory and removes the spill file.
func (s *Spool) Close() error {
	s.mem = nil
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	s.file.Close()
	s.file = nil
	return os.Remove(name)
}
