package cmd

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// dryRun prints each job's id and command, tab-separated, one per line,
// until the input ends or stop says so.
func dryRun(ios *IOStreams, src runner.Source, cfg runner.Config, stop func() bool) error {
	for {
		if stop() {
			return errInterrupted
		}
		job, err := src.Next()
		if err != nil {
			if jobspec.IsInputError(err) {
				return &exitError{code: exitUsage, err: err}
			}
			return nil // io.EOF
		}
		if cfg.Skip != nil && cfg.Skip(job) {
			continue
		}
		argv := job.Argv
		if job.Shell {
			argv = []string{cfg.Shell, "-c", job.Argv[0]}
		}
		if _, err := fmt.Fprintf(ios.Out, "%s\t%s\n", job.ID, shellQuote(argv)); err != nil {
			return &exitError{code: exitSIGPIPE, err: err}
		}
	}
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
		case strings.IndexFunc(a, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
			parts[i] = ansiQuote(a)
		default:
			parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(parts, " ")
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
