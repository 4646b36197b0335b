package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// inputOptions are the flags that say how to read the job list.
type inputOptions struct {
	format        string
	maxRecordSize string
}

func (o *inputOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.format, "format", "auto", "input format: auto, json, ndjson or lines")
	fs.StringVar(&o.maxRecordSize, "max-record-size", "1MiB", "largest record accepted (bytes, or with KiB, MiB)")
}

func (o *inputOptions) decoderOptions() (jobspec.Options, error) {
	format, err := jobspec.ParseFormat(o.format)
	if err != nil {
		return jobspec.Options{}, usageError("--format: %v", err)
	}
	size, err := parseSize(o.maxRecordSize)
	if err != nil {
		return jobspec.Options{}, usageError("--max-record-size: %v", err)
	}
	return jobspec.Options{Format: format, MaxRecordSize: size}, nil
}

// parseSize reads a byte count such as "1048576", "512KiB" or "1MiB".
func parseSize(s string) (int, error) {
	units := []struct {
		suffix string
		mult   int
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	num, mult := strings.TrimSpace(s), 1
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > (1<<30)/mult {
		return 0, fmt.Errorf("%q is not a size from 1 byte to 1GiB (examples: 65536, 512KiB, 1MiB)", s)
	}
	return n * mult, nil
}

// open checks the input flags and opens path (stdin for "" or "-").
func (o *inputOptions) open(ios *IOStreams, path string) (*input, error) {
	opts, err := o.decoderOptions()
	if err != nil {
		return nil, err
	}
	in, err := openInput(ios, path)
	if err != nil {
		return nil, err
	}
	in.opts = opts
	return in, nil
}

// input is the job list being read: a file, or stdin.
type input struct {
	name string
	r    io.Reader
	opts jobspec.Options
	// file is set when the input is a regular file, which drover can read
	// twice: once to validate every record, once to run.
	file  *os.File
	close func() error
}

// openInput opens path, or stdin for "" and "-".
func openInput(ios *IOStreams, path string) (*input, error) {
	if path == "" || path == "-" {
		in := &input{name: "<stdin>", r: ios.In, close: func() error { return nil }}
		if f, ok := ios.In.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				in.file = f
			} else if err == nil && fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0 {
				in.r, in.close = pollable(f)
			}
		}
		return in, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError("%v", unwrapPath(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, usageError("%v", unwrapPath(err))
	}
	if fi.IsDir() {
		f.Close()
		return nil, usageError("%s is a directory, not a job file", path)
	}
	in := &input{name: path, r: f, close: f.Close}
	if fi.Mode().IsRegular() {
		in.file = f
	}
	return in, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// decoder starts reading the input from where it stands.
func (in *input) decoder() *jobspec.Decoder {
	return jobspec.NewDecoder(in.r, in.name, in.opts)
}

// rewind goes back to the start of a regular file.
func (in *input) rewind() error {
	_, err := in.file.Seek(0, io.SeekStart)
	return err
}

// checkResult is what reading a whole input found.
type checkResult struct {
	records int // valid jobs
	bad     int // bad records
}

// errInterrupted ends a check that a signal cut short.
var errInterrupted = errors.New("interrupted")

// checkAll reads every record of dec and hands each bad one to report as
// it is found, so that memory stays bounded however many there are. It
// counts the valid jobs that shard holds. A read error that is not the
// input's fault is returned as err; so is errInterrupted once stop (when
// set) says so.
func checkAll(dec *jobspec.Decoder, shard jobspec.Shard, report func(error), stop func() bool) (checkResult, error) {
	defer dec.Close()
	var res checkResult
	for {
		if stop != nil && res.records%1024 == 0 && stop() {
			return res, errInterrupted
		}
		job, err := dec.Next()
		switch {
		case err == io.EOF:
			return res, nil
		case err == nil:
			if shard.Holds(job) {
				res.records++
			}
		case jobspec.IsInputError(err):
			res.bad++
			report(err)
			var ie *jobspec.InputError
			if errors.As(err, &ie) {
				return res, nil
			}
		default:
			return res, err
		}
	}
}

// shardSource passes on the jobs of one shard and every error. Its
// Interrupt, when interrupt is set, gives up a read waiting for input.
type shardSource struct {
	src       runner.Source
	shard     jobspec.Shard
	interrupt func()
}

func (s shardSource) Next() (*jobspec.Job, error) {
	for {
		job, err := s.src.Next()
		if err != nil || s.shard.Holds(job) {
			return job, err
		}
	}
}

func (s shardSource) Interrupt() {
	if s.interrupt != nil {
		s.interrupt()
	}
}

// interrupt ends a read waiting on an input that can make it wait (a
// pipe, a terminal, a FIFO); a regular file never makes a read wait. The
// input is left open, so that its producer is not cut off before drover
// exits: a read deadline in the past wakes the read, and only an input
// without deadlines is closed.
func (in *input) interrupt() {
	if in.file != nil {
		return
	}
	if d, ok := in.r.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(time.Now()) == nil {
		return
	}
	if c, ok := in.r.(io.Closer); ok {
		c.Close()
	}
}

// pollable returns stdin, when it is a pipe or a socket, as a file that Go
// reads through its poller, so that a read deadline wakes a read waiting
// on it (a blocking read(2) would go on waiting). The descriptor is made
// non-blocking for that, and blocking again by the returned restore, since
// other processes may share it.
func pollable(f *os.File) (r io.Reader, restore func() error) {
	fd := int(f.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		return f, func() error { return nil }
	}
	return os.NewFile(uintptr(fd), f.Name()), func() error { return syscall.SetNonblock(fd, false) }
}
