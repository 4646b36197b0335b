package records

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Outputs is every file a command will read or write, each under the flag
// that names it, checked together before any of them is opened for
// writing: no output may be an input or another output. A file is known
// by its device and inode, so a symbolic or hard link to it is the same
// file; one not made yet, by the directory it would be made in and its
// name there. Only regular files (and files not made yet) are compared:
// writing twice to a device such as /dev/null destroys nothing.
//
// A command adds its inputs and outputs, then calls Check once, before it
// opens any output. An Outputs is used by one goroutine.
type Outputs struct {
	files []output
	dirs  []output
}

type output struct {
	flag, path string
	input      bool
	key        fileKey
	ok         bool // key is known: a regular file, or one not made yet
}

// fileKey says which file a path names: its device and inode when it
// exists; when it does not, the directory it would be made in and its
// name there (or its absolute path, when that directory is not there
// either).
type fileKey struct {
	dev, ino uint64
	name     string
}

// AddInput adds a file the command reads, opened as f, shown as flag
// and path ("FILE jobs.ndjson"; path "" for stdin).
func (o *Outputs) AddInput(flag, path string, f *os.File) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	o.files = append(o.files, output{flag: flag, path: path, input: true, key: statKey(fi), ok: true})
}

// AddInputPath adds a file the command reads, by its path.
func (o *Outputs) AddInputPath(flag, path string) {
	if path == "" {
		return
	}
	key, ok := identify(path)
	o.files = append(o.files, output{flag: flag, path: path, input: true, key: key, ok: ok})
}

// Add adds the output file that flag names; an empty path (the flag not
// given) is left out.
func (o *Outputs) Add(flag, path string) {
	if path == "" {
		return
	}
	key, ok := identify(path)
	o.files = append(o.files, output{flag: flag, path: path, key: key, ok: ok})
}

// AddFD adds an output the command writes to the inherited descriptor fd
// (--events-fd); fd < 0 is left out, as is a descriptor not open.
func (o *Outputs) AddFD(flag string, fd int) {
	var st syscall.Stat_t
	if fd < 0 || syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return
	}
	key := fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)} //nolint:unconvert // Dev is narrower on some systems
	o.files = append(o.files, output{flag: flag, path: "", key: key, ok: true})
}

// AddDir adds a directory that flag names, in which the command writes
// files named *.stdout and *.stderr (--output-dir).
func (o *Outputs) AddDir(flag, path string) {
	if path != "" {
		o.dirs = append(o.dirs, output{flag: flag, path: path})
	}
}

// Check returns an error naming both flags when an output is an input or
// another output, or lies in an output directory under a name the
// command may write there.
func (o *Outputs) Check() error {
	for i, a := range o.files {
		for _, b := range o.files[:i] {
			if a.ok && b.ok && a.key == b.key && !(a.input && b.input) {
				return clash(b, a)
			}
		}
	}
	for _, d := range o.dirs {
		if err := o.checkDir(d); err != nil {
			return err
		}
	}
	return nil
}

// ErrSameFile is the error of Check.
var ErrSameFile = errors.New("one file given twice")

func clash(a, b output) error {
	if a.path == b.path {
		return fmt.Errorf("%w: %s and %s both name %s; no file was touched", ErrSameFile, a.flag, b.flag, a.path)
	}
	return fmt.Errorf("%w: %s and %s are the same file; no file was touched", ErrSameFile, a.named(), b.named())
}

// named is the flag with the path it names, when there is one.
func (f output) named() string {
	if f.path == "" {
		return f.flag
	}
	return f.flag + " " + f.path
}

// checkDir checks the files a command writes in the directory d against
// the others: one of them about to be made there under a name of an
// output, and one already there (by any name, any link) that is the file
// of an input or output.
func (o *Outputs) checkDir(d output) error {
	jobFile := func(name string) bool {
		return strings.HasSuffix(name, ".stdout") || strings.HasSuffix(name, ".stderr")
	}
	fi, err := os.Stat(d.path)
	if err != nil {
		abs, aerr := filepath.Abs(d.path)
		for _, f := range o.files {
			if aerr == nil && f.ok && f.key.ino == 0 && filepath.Dir(f.key.name) == abs && jobFile(f.key.name) {
				return clash(f, d)
			}
		}
		return nil // made later, empty
	}
	dir := statKey(fi)
	existing := map[fileKey]output{}
	for _, f := range o.files {
		switch {
		case !f.ok:
		case f.key.name == "" && f.key.dev == dir.dev: // no link crosses devices
			existing[f.key] = f
		case f.key.dev == dir.dev && f.key.ino == dir.ino && jobFile(f.key.name):
			return clash(f, d)
		}
	}
	if len(existing) == 0 {
		return nil
	}
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return nil // opening it will say why
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !jobFile(e.Name()) {
			continue // a link there is never written through
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if f, ok := existing[statKey(info)]; ok {
			in := d
			in.path = filepath.Join(d.path, e.Name())
			return clash(f, in)
		}
	}
	return nil
}

// identify finds which file path names, following symbolic links. ok is
// false for what is not a regular file, nor one to be made (a device, a
// pipe, a directory): those are not compared.
func identify(path string) (_ fileKey, ok bool) {
	fi, err := os.Stat(path)
	if err == nil {
		if !fi.Mode().IsRegular() {
			return fileKey{}, false
		}
		return statKey(fi), true
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fileKey{}, false
	}
	target := danglingTarget(path)
	abs, err := filepath.Abs(target)
	if err != nil {
		return fileKey{}, false
	}
	parent, err := os.Stat(filepath.Dir(abs))
	if err != nil {
		return fileKey{name: abs}, true
	}
	key := statKey(parent)
	key.name = filepath.Base(abs)
	return key, true
}

// danglingTarget is the file a symbolic link that points nowhere (yet)
// would make when written through, or path itself when it is no link.
func danglingTarget(path string) string {
	for range 40 { // as the kernel's limit on links followed
		link, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return path
}

func statKey(fi os.FileInfo) fileKey {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}
	}
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)} //nolint:unconvert // Dev is narrower on some systems
}
