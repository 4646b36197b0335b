package console

import (
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// StdoutError is an error writing drover's own stdout: its reader has
// gone away.
type StdoutError struct{ Err error }

func (e *StdoutError) Error() string { return e.Err.Error() }
func (e *StdoutError) Unwrap() error { return e.Err }

// The forms of --dry-run.
const (
	DryRunList = "list" // ID<TAB>command, for people
	DryRunSh   = "sh"   // one command a line, for a POSIX shell
)

// DryRunOptions say how a dry run prints the jobs.
type DryRunOptions struct {
	// Form is DryRunSh, or anything else for DryRunList.
	Form string
	// Shell runs string commands; Templated says the commands were built
	// from a template, their values quoted already.
	Shell     string
	Templated bool
	// Terminal says stdout is a terminal: control characters are then
	// written as escapes in either form, as in any text for people.
	Terminal bool
	// Skip leaves out the jobs it returns true for (--resume).
	Skip func(*jobspec.Job) bool
}

// DryRun prints the jobs until the input ends or stop says so, which it
// reports as interrupted. The list form prints each job's id and command,
// tab-separated, one a line, control characters escaped; the sh form
// prints the commands so that dash and bash run them as drover would.
// Fed to a shell, neither form runs any part of a value as code: values
// are in single quotes (or quoted for the template's own quotes), never in
// $'…', which dash does not read.
// An input error is returned as it is; a failed write as a *StdoutError.
func DryRun(w io.Writer, src runner.Source, o DryRunOptions, stop func() bool) (interrupted bool, err error) {
	for {
		if stop() {
			return true, nil
		}
		job, err := src.Next()
		if err != nil {
			if jobspec.IsInputError(err) {
				return false, err
			}
			return false, nil // io.EOF
		}
		if o.Skip != nil && o.Skip(job) {
			continue
		}
		var line string
		if o.Form == DryRunSh && !o.Terminal {
			line = shellLine(job, o) + "\n"
		} else {
			line = listLine(job, o) + "\n"
		}
		if _, err := io.WriteString(w, line); err != nil {
			return false, &StdoutError{err}
		}
	}
}

// NeedsText says what a job waits for: "needs build, lint", with
// " (when: always)" when it is not the default.
func NeedsText(job *jobspec.Job) string {
	ids := make([]string, len(job.Needs))
	for i, n := range job.Needs {
		ids[i] = termtext.Escape(n.ID)
	}
	s := "needs " + strings.Join(ids, ", ")
	if job.When != "" && job.When != jobspec.WhenSuccess {
		s += " (when: " + string(job.When) + ")"
	}
	return s
}

// listLine is a job as the list form shows it, without the id with the sh
// form on a terminal.
func listLine(job *jobspec.Job, o DryRunOptions) string {
	var cmd string
	switch {
	case job.Shell && o.Templated && !hasControl(job.Argv[0]):
		cmd = job.Argv[0]
	case job.Shell:
		cmd = joinWords([]string{o.Shell, "-c", job.Argv[0]}, listQuote)
	default:
		cmd = joinWords(job.Argv, listQuote)
	}
	if o.Form == DryRunSh {
		return cmd
	}
	if len(job.Needs) > 0 {
		cmd += "\t# " + NeedsText(job) // for people: the sh form has none
	}
	return listQuote(job.ID) + "\t" + cmd
}

// shellLine is a job as a command line for a POSIX shell: a templated
// command as the shell gets it, when that shell is /bin/sh; anything else
// as SHELL -c 'CMD' or as its argv, with the job's directory, environment
// and stdin around it. A value's newline stays inside its quotes.
func shellLine(job *jobspec.Job, o DryRunOptions) string {
	if job.Shell && o.Templated && o.Shell == "/bin/sh" {
		return job.Argv[0]
	}
	words := job.Argv
	if job.Shell {
		words = []string{o.Shell, "-c", job.Argv[0]}
	}
	if len(job.Env) > 0 {
		env := []string{"env"}
		for _, v := range job.Env {
			env = append(env, v.Key+"="+v.Value)
		}
		words = append(env, words...)
	}
	line := joinWords(words, jobspec.QuoteShell)
	if job.Stdin != nil {
		line = "printf %s " + jobspec.QuoteShell(*job.Stdin) + " | " + line
	}
	if job.Dir != "" {
		line = "(cd -- " + jobspec.QuoteShell(job.Dir) + " && " + line + ")"
	}
	return line
}

func joinWords(words []string, quote func(string) string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = quote(w)
	}
	return strings.Join(parts, " ")
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// listQuote quotes a word for the list form: plain words stay bare, others
// go in single quotes. A word with control characters (or bytes that are
// not UTF-8) is written escaped as in every message for people (\n, \\),
// so that the line stays one line and a shell fed it reads only quoted
// text.
func listQuote(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	if hasControl(s) {
		s = termtext.Escape(s)
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// hasControl reports whether s holds a control character (C0, DEL, C1) or
// a byte that is not UTF-8.
func hasControl(s string) bool {
	return !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0
}
