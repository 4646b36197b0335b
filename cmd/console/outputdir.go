package console

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
	"golang.org/x/sys/unix"
)

// fileName derives a file name from a job id that can never leave the
// directory and never equals another id's. An id made only of letters,
// digits, '.', '_' and '-', not starting with '.', and short enough is used
// as it is. Any other id becomes its safe characters (at most 64) followed
// by '~' and a hash of the whole id: '~' never appears in a name of the
// first kind, and the hash keeps names of the second kind apart.
func fileName(id string) string {
	safe := func(r rune) bool {
		return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}
	if len(id) <= 200 && !strings.HasPrefix(id, ".") && strings.IndexFunc(id, func(r rune) bool { return !safe(r) }) < 0 {
		return id
	}
	var b strings.Builder
	for _, r := range id {
		if b.Len() >= 64 {
			break
		}
		if safe(r) && !(b.Len() == 0 && r == '.') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(id))
	return b.String() + "~" + hex.EncodeToString(sum[:8])
}

// outputDir saves each job's stdout and stderr as DIR/NAME.stdout and
// DIR/NAME.stderr besides what the mode does with them. Files are opened
// relative to the directory opened once (openat), by names that have no
// '/', and never through a symbolic link (O_NOFOLLOW), so nothing planted
// in the directory can send output elsewhere.
type outputDir struct {
	path string
	dir  *os.File
	next runner.Sink
}

func openOutputDir(path string, next runner.Sink) (*outputDir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, err
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return &outputDir{path: path, dir: os.NewFile(uintptr(fd), path), next: next}, nil
}

func (d *outputDir) Close() error { return d.dir.Close() }

func (d *outputDir) Open(job *jobspec.Job) (runner.JobOutput, error) {
	base, err := d.next.Open(job)
	if err != nil {
		return nil, err
	}
	name := fileName(job.ID)
	out, err := d.create(name + ".stdout")
	if err != nil {
		base.Close()
		return nil, err
	}
	errf, err := d.create(name + ".stderr")
	if err != nil {
		out.Close()
		base.Close()
		return nil, err
	}
	return &savedOutput{
		JobOutput:  base,
		out:        &savedWriter{w: base.Stdout(), f: out},
		err:        &savedWriter{w: base.Stderr(), f: errf},
		stdoutFile: d.path + "/" + name + ".stdout",
		stderrFile: d.path + "/" + name + ".stderr",
	}, nil
}

// create opens DIR/name for writing, made or emptied. The descriptor
// becomes an *os.File without a try at Go's poller, which a regular file
// would refuse after four system calls.
func (d *outputDir) create(name string) (*os.File, error) {
	path := d.path + "/" + name
	var fd int
	err := fmt.Errorf("%s: %w", path, os.ErrClosed)
	if rc, cerr := d.dir.SyscallConn(); cerr == nil {
		cerr = rc.Control(func(dirfd uintptr) {
			for {
				fd, err = unix.Openat(int(dirfd), name, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
				if err != unix.EINTR {
					break
				}
			}
		})
		if cerr != nil {
			return nil, fmt.Errorf("%s: %w", path, cerr)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// savedWriter writes a job's stream to the mode's writer and to the saved
// file, each on its own: each keeps its first error (a full disk), and
// the other goes on. It is written by one copy goroutine; its errors are
// read once the job has ended.
type savedWriter struct {
	w    io.Writer
	f    *os.File
	err  error // the saved file's
	wErr error // the mode's writer's (drover's stdout in raw mode)
}

func (s *savedWriter) Write(p []byte) (int, error) {
	if s.wErr == nil && s.w != io.Discard {
		if _, err := s.w.Write(p); err != nil {
			s.wErr = err
		}
	}
	if s.err == nil {
		if _, err := s.f.Write(p); err != nil {
			s.err = err
		}
	}
	return len(p), nil
}

// savedOutput is a JobOutput that is also saved to files; its Files
// method gives their paths to the results file.
type savedOutput struct {
	JobOutput              runner.JobOutput
	out, err               *savedWriter
	stdoutFile, stderrFile string
	closed                 bool
}

// Files are the paths of the saved stdout and stderr.
func (s *savedOutput) Files() (stdout, stderr string) { return s.stdoutFile, s.stderrFile }

func (s *savedOutput) Stdout() io.Writer { return s.out }
func (s *savedOutput) Stderr() io.Writer { return s.err }

// OutputErr is the first error saving the job's output, or of the mode's
// output under it.
func (s *savedOutput) OutputErr() error {
	if err := errors.Join(s.out.err, s.err.err); err != nil {
		return fmt.Errorf("saving its output: %w", err)
	}
	for _, w := range []*savedWriter{s.out, s.err} {
		if w.wErr != nil && !isEPIPE(w.wErr) { // a closed stdout stops the run on its own
			return fmt.Errorf("writing its output: %w", w.wErr)
		}
	}
	return outputErr(s.JobOutput)
}

// closeFiles closes the saved files once the job has ended, and returns
// what failed.
func (s *savedOutput) closeFiles() error {
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, w := range []*savedWriter{s.out, s.err} {
		if err := w.f.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("saving its output: %w", err)
	}
	return nil
}

func (s *savedOutput) Close() error {
	return errors.Join(s.closeFiles(), s.JobOutput.Close())
}

// outputErr is the error of a JobOutput that lost some of a job's output
// before the job ended, or nil.
func outputErr(out runner.JobOutput) error {
	if o, ok := out.(interface{ OutputErr() error }); ok {
		return o.OutputErr()
	}
	return nil
}
