// Package iostreams holds the streams and the environment drover's commands
// work with, so that nothing reaches for os.Stdout and tests can use buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the streams and the environment a command works with.
// Nothing else in drover writes to os.Stdout or os.Stderr: everything goes
// through the IOStreams the command was built with.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InTTY, OutTTY and ErrTTY tell whether In, Out and ErrOut are
	// terminals.
	InTTY, OutTTY, ErrTTY bool
	// ErrWidth returns the width in columns of the terminal ErrOut is,
	// read anew at each call (the window may be resized); 0 when ErrOut is
	// no terminal or the width is unknown. Nil in tests means 0.
	ErrWidth func() int
	// Getenv and Environ read drover's environment.
	Getenv  func(string) string
	Environ func() []string
	// Executable returns the path of drover's own program, which drover
	// runs again as the watchdog of its jobs; nil where drover is not a
	// program of its own (in tests), and its jobs then have no watchdog.
	Executable func() (string, error)
}

// stderrWidth is the width of the terminal stderr is, or 0.
func stderrWidth() int {
	w, _, err := term.GetSize(int(os.Stderr.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// System returns the process's own streams and environment.
func System() *IOStreams {
	return &IOStreams{
		In:         os.Stdin,
		Out:        os.Stdout,
		ErrOut:     os.Stderr,
		InTTY:      term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY:     term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY:     term.IsTerminal(int(os.Stderr.Fd())),
		ErrWidth:   stderrWidth,
		Getenv:     os.Getenv,
		Environ:    os.Environ,
		Executable: os.Executable,
	}
}

// Test returns streams backed by buffers, with an empty environment
// apart from env ("KEY=value" entries).
func Test(in string, env ...string) (ios *IOStreams, out, errOut *bytes.Buffer) {
	out, errOut = &bytes.Buffer{}, &bytes.Buffer{}
	getenv := func(key string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := bytes.Cut([]byte(env[i]), []byte("=")); ok && string(k) == key {
				return string(v)
			}
		}
		return ""
	}
	return &IOStreams{
		In: bytes.NewBufferString(in), Out: out, ErrOut: errOut,
		Getenv:  getenv,
		Environ: func() []string { return append([]string(nil), env...) },
	}, out, errOut
}
