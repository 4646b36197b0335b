package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/termtext"
)

// The exit codes of the contract.
const (
	exitOK       = 0
	exitFailures = 1   // a job failed, timed out or was canceled by --max-failures
	exitUsage    = 2   // bad usage, bad input, or a records file that cannot be written
	exitDeadline = 124 // the run's --deadline passed (as timeout(1))
	exitSIGHUP   = 129 // interrupted by SIGHUP
	exitSIGINT   = 130 // interrupted by SIGINT
	exitSIGPIPE  = 141 // drover's own output was closed
	exitSIGTERM  = 143 // interrupted by SIGTERM
)

// exitError carries an exit code to Main. Its message, when not empty, has
// not been printed yet.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// printError prints err for a person, with the control characters of
// what it quotes from outside (ids, file names, records) escaped; the
// lines of a message of several lines stay lines, and its own quoting
// stays as it is.
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "drover: %s\n", termtext.EscapeMessage(err.Error()))
}

// usageError is an error the user made on the command line or in the input:
// exit code 2.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// runFailure is an error that a command meets at run time, not the
// user's doing (a worker whose job queue went bad while it ran): exit 1.
func runFailure(err error) error {
	return &exitError{code: exitFailures, err: err}
}

// printed reports whether err's message was printed already: a silent
// exit, whose code is all it carries.
func printed(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.err == nil
}

// exitCode maps an error returned by a command to the process exit code.
// Errors that carry no code are faults of the command line (cobra's own
// flag and argument errors): exit 2.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var se *console.StdoutError
	if errors.As(err, &se) {
		return exitSIGPIPE
	}
	return exitUsage
}

// silent returns an exitError whose message has already been printed.
func silent(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code: code}
}

// signalExitCode is the exit code for a run interrupted by sig.
func signalExitCode(sig os.Signal) int {
	switch sig {
	case syscall.SIGINT:
		return exitSIGINT
	case syscall.SIGHUP:
		return exitSIGHUP
	}
	return exitSIGTERM
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// runExitCode maps how a run ended to its exit code: a signal wins over a
// closed stdout, which wins over bad input, a failed results file or job
// output lost, which win over a deadline passed, which wins over failed
// jobs. Jobs canceled by --stop-on-success are no failure; jobs not run for
// a need that did not succeed (dep_failed) are.
func runExitCode(out outcome) int {
	sum := out.sum
	switch {
	case out.interrupted != nil:
		return signalExitCode(out.interrupted)
	case out.stdoutClosed:
		return exitSIGPIPE
	case out.err != nil, out.outputLost:
		return exitUsage
	case sum.DeadlinePassed:
		return exitDeadline
	case sum.Failed+sum.TimedOut+sum.DepFailed > 0, sum.Canceled > 0 && !sum.StoppedBySuccess:
		return exitFailures
	}
	return exitOK
}
