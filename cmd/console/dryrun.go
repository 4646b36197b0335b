package console

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// StdoutError is an error writing drover's own stdout: its reader has
// gone away.
type StdoutError struct{ Err error }

func (e *StdoutError) Error() string { return e.Err.Error() }
func (e *StdoutError) Unwrap() error { return e.Err }

// DryRun prints each job's id and command, tab-separated, one per line,
// until the input ends or stop says so, which it reports as interrupted.
// A job skip returns true for is left out; shell runs string commands.
// With asIs, a string command is printed as the shell gets it (a command
// built from a template, whose values are quoted already), unless it
// holds a control character and needs quoting to stay on its line.
// An input error is returned as it is; a failed write as a *StdoutError.
func DryRun(w io.Writer, src runner.Source, shell string, asIs bool, skip func(*jobspec.Job) bool, stop func() bool) (interrupted bool, err error) {
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
		if skip != nil && skip(job) {
			continue
		}
		var line string
		switch {
		case job.Shell && asIs && !hasControl(job.Argv[0]):
			line = job.Argv[0]
		case job.Shell:
			line = shellQuote([]string{shell, "-c", job.Argv[0]})
		default:
			line = shellQuote(job.Argv)
		}
		if len(job.Needs) > 0 {
			line += "\t# " + NeedsText(job)
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\n", job.ID, line); err != nil {
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

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote joins argv so that a shell reads it back as argv, on one line:
// plain words stay bare, others are single-quoted, and words with control
// characters use $'…' quoting, as bash's printf %q does.
func shellQuote(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		switch {
		case plainWord.MatchString(a):
			parts[i] = a
		case hasControl(a):
			parts[i] = ansiQuote(a)
		default:
			parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(parts, " ")
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
}

func ansiQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}
