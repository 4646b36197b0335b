package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/iostreams"
)

func newManCmd(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write man pages for drover and its commands into DIR",
		Long: `man writes a man page (section 1) for drover and one for each of its commands
(drover.1, drover-run.1, ...) into DIR, which it creates if need be. The
pages hold what --help shows: the flags under the same headings, the
replacement strings, the exit codes and the examples.`,
		Example: `  drover man ~/.local/share/man/man1 && man drover-run
  sudo drover man /usr/local/share/man/man1`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("man needs DIR, the directory to write drover.1, drover-run.1, ... into (for example: drover man ~/.local/share/man/man1)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := writeManPages(c.Root(), args[0]); err != nil {
				return usageError("%v", unwrapPath(err))
			}
			return nil
		},
	}
}

// writeManPages writes a page for c and for each of its commands, below
// it too, into dir.
func writeManPages(c *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := strings.ReplaceAll(c.CommandPath(), " ", "-")
	if err := os.WriteFile(filepath.Join(dir, name+".1"), []byte(manPage(c)), 0o644); err != nil {
		return err
	}
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		if err := writeManPages(sub, dir); err != nil {
			return err
		}
	}
	return nil
}

// manPage is c's page in roff: its description (indented lines, as the
// replacement strings' table, kept as they are), its flags under the
// headings of its help, its examples and the pages around it.
func manPage(c *cobra.Command) string {
	var b strings.Builder
	name := strings.ReplaceAll(c.CommandPath(), " ", "-")
	fmt.Fprintf(&b, ".TH %q \"1\" \"\" \"drover %s\" \"drover manual\"\n.nh\n.ad l\n", strings.ToUpper(name), manVersion())
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roff(name), roff(c.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n\\fB%s\\fR\n", roff(c.UseLine()))
	b.WriteString(".SH DESCRIPTION\n")
	writeRoffText(&b, c.Long)
	if groups := listGroups(c.LocalFlags(), flagGroupsOf(c)); len(groups) > 0 {
		b.WriteString(".SH OPTIONS\n")
		for _, g := range groups {
			fmt.Fprintf(&b, ".SS %s\n", roff(g.heading))
			for _, f := range g.flags {
				fmt.Fprintf(&b, ".TP\n%s\n%s\n", manFlag(f), roff(flagUsage(f)))
			}
		}
	}
	if c.HasExample() {
		fmt.Fprintf(&b, ".SH EXAMPLES\n.nf\n%s\n.fi\n", roff(c.Example))
	}
	var see []string
	if c.HasParent() {
		see = append(see, manRef(c.Parent()))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			see = append(see, manRef(sub))
		}
	}
	if len(see) > 0 {
		fmt.Fprintf(&b, ".SH SEE ALSO\n%s\n", strings.Join(see, ", "))
	}
	return b.String()
}

// writeRoffText writes text: paragraphs filled, lines that start with two
// spaces as they are.
func writeRoffText(b *strings.Builder, text string) {
	verbatim := false
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		indented := strings.HasPrefix(line, "  ")
		switch {
		case indented && !verbatim:
			b.WriteString(".PP\n.nf\n")
		case !indented && verbatim:
			b.WriteString(".fi\n")
		}
		verbatim = indented
		if line == "" {
			b.WriteString(".PP\n")
			continue
		}
		b.WriteString(roff(line) + "\n")
	}
	if verbatim {
		b.WriteString(".fi\n")
	}
}

// manFlag is a flag as the page shows it: \fB\-j\fR, \fB\-\-jobs\fR \fIN\fR.
func manFlag(f *pflag.Flag) string {
	s := `\fB\-\-` + roff(f.Name) + `\fR`
	if f.Shorthand != "" {
		s = `\fB\-` + roff(f.Shorthand) + `\fR, ` + s
	}
	if p := placeholder(f); p != "" {
		s += valueSpec(f, `\fI`+roff(p)+`\fR`)
	}
	return s
}

func manVersion() string {
	v, _ := buildVersion()
	return v
}

func manRef(c *cobra.Command) string {
	return `\fB` + roff(strings.ReplaceAll(c.CommandPath(), " ", "-")) + `\fR(1)`
}

// roff escapes text for a man page: backslashes and hyphens, and a dot or
// quote at the start of a line.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
