// Package input owns the job list a run reads: opening FILE or stdin,
// reading it whole to validate it, rewinding a regular file, passing on
// the jobs of one shard, and giving up a read that waits on a stream when
// the run stops. It knows neither flags nor terminals.
package input

import (
	"fmt"
	"io"
	"os"

	"github.com/drover/drover/jobspec"
)

// Input is the job list being read: a file, or stdin. Its methods are
// called by the goroutine that runs the command, except Interrupt, which
// may be called from any goroutine.
type Input struct {
	Name string // the name records are shown under: the path, or <stdin>
	r    io.Reader
	opts jobspec.Options
	// file is set when the input is a regular file, which drover can read
	// twice: once to validate every record, once to run.
	file  *os.File
	close func() error
	// inline is set when there is nothing to read: the jobs come from
	// the decoder's template alone (inline lists).
	inline bool
	// checked is, once a regular file has been checked whole and rewound,
	// how much of it was checked: only that is read again, so records
	// appended after the check never run. -1: no such bound.
	checked int64
}

// Open opens path, or stdin for "" and "-", to be decoded with opts. An
// error opening path is the *os.PathError of os.Open or Stat.
func Open(stdin io.Reader, path string, opts jobspec.Options) (*Input, error) {
	if path == "" || path == "-" {
		in := &Input{Name: stdinName, r: stdin, opts: opts, close: func() error { return nil }, checked: -1}
		if f, ok := stdin.(*os.File); ok {
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
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory, not a job file", path)
	}
	in := &Input{Name: path, r: f, opts: opts, close: f.Close, checked: -1}
	if fi.Mode().IsRegular() {
		in.file = f
	}
	return in, nil
}

// stdinName is the name of stdin in positions.
const stdinName = "<stdin>"

// IsStdin reports whether the input is drover's stdin.
func (in *Input) IsStdin() bool { return in.Name == stdinName && !in.inline }

// Inline is an input with nothing to read, named name: opts.Template
// builds every job from its inline lists. It is checked whole before any
// job starts, as a regular file is.
func Inline(name string, opts jobspec.Options) *Input {
	return &Input{Name: name, opts: opts, close: func() error { return nil }, inline: true, checked: -1}
}

// IsFile reports whether the input is a regular file (or inline), which is
// validated whole before any job starts and can be rewound.
func (in *Input) IsFile() bool { return in.file != nil || in.inline }

// Templated reports whether the jobs are built from a command template.
func (in *Input) Templated() bool { return in.opts.Template != nil }

// Decoder starts reading the input from where it stands; after Rewind,
// it reads no further than the check did.
func (in *Input) Decoder() *jobspec.Decoder {
	var r io.Reader = in.r
	if in.checked >= 0 {
		r = io.LimitReader(in.r, in.checked)
	}
	return jobspec.NewDecoder(r, in.Name, in.opts)
}

// Rewind goes back to the start of a regular file that was checked whole,
// and bounds what will be read of it to what was checked: the check read
// to the end, so where it stands is how much it checked.
func (in *Input) Rewind() error {
	if in.inline {
		return nil
	}
	end, err := in.file.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := in.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	in.checked = end
	return nil
}

// reread goes back to the start of a regular file for one more pass,
// keeping what Rewind bounded: a pass before the check reads the whole
// file, one after it no further than the check did.
func (in *Input) reread() error {
	if in.inline {
		return nil
	}
	_, err := in.file.Seek(0, io.SeekStart)
	return err
}

// Close releases the input; stdin is left open.
func (in *Input) Close() error { return in.close() }

// File is the regular file read (FILE, or stdin when it is one), or nil.
func (in *Input) File() *os.File { return in.file }
