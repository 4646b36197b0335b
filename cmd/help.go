package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the width every line of help fits in.
const helpWidth = 80

// flagGroup is one heading of run's help and the flags under it, in the
// order they are listed.
type flagGroup struct {
	heading string
	flags   []string
}

// runFlagGroups sorts run's flags under headings, everyday ones first.
// Every flag of run must be in one group (TestRunFlagsHaveGroups); a flag
// missing here is still listed, under "Other flags".
var runFlagGroups = []flagGroup{
	{"Input and templates", []string{"cmd", "null", "link", "colsep", "id", "cmd-argv", "format", "max-record-size", "shard", "shard-count", "balance-by"}},
	{"Running and retries", []string{"jobs", "timeout", "retries", "retry-delay", "retry-max-delay", "retry-budget", "kill-grace", "shell", "queue", "order", "history", "dry-run"}},
	{"Stop rules and throttling", []string{"max-failures", "fail-fast", "halt", "halt-mode", "stop-on-success", "deadline", "delay", "rate", "memfree", "load"}},
	{"Output and progress", []string{"output", "keep-order", "tag", "output-dir", "progress", "progress-interval", "bar", "eta", "quiet", "color", "no-github-groups"}},
	{"Records and reports", []string{"results", "resume", "summary-json", "joblog", "junit", "html", "events", "events-fd", "no-github-summary", "no-github-annotations"}},
	{"Fleet (NATS JetStream)", []string{"nats", "detach", "cancel-wait", "prefix", "replicas", "nats-creds", "nats-nkey", "nats-ca"}},
	{"Help", []string{"help"}},
}

// placeholders name the value of flags whose usage does not: a flag's
// usage may name it itself in backquotes (`FILE`); otherwise this table,
// then its type does: DUR, N, or the name a flag's own Value type gives
// ("N|N%", "WHEN,WHY").
var placeholders = map[string]string{
	"format": "FORMAT", "max-record-size": "SIZE", "output": "MODE", "progress": "MODE", "color": "WHEN",
	"halt-mode": "MODE", "shell": "PATH", "nats": "URL", "output-dir": "DIR",
	"results": "FILE", "summary-json": "FILE", "events": "FILE", "junit": "FILE", "html": "FILE",
	"nats-creds": "FILE", "nats-nkey": "FILE", "nats-ca": "FILE", "expect-jobs": "N", "shards": "N",
	"output-limit": "SIZE", "dry-run": "FORM", "order": "ORDER", "history": "FILE", "balance-by": "FILE",
}

// typePlaceholders name a value by the flag's type.
var typePlaceholders = map[string]string{"duration": "DUR", "int": "N", "int64": "N", "uint": "N", "string": "VALUE"}

// commandOrder lists drover's commands everyday ones first; the others
// follow in cobra's order.
var commandOrder = []string{"run", "validate", "report", "schema", "version", "man", "completion", "worker", "status", "wait", "cancel"}

func commandRank(c *cobra.Command) int {
	if i := slices.Index(commandOrder, c.Name()); i >= 0 {
		return i
	}
	return len(commandOrder)
}

// usageText is the help of a command after its description: usage line,
// examples, subcommands and flags, every line within helpWidth; run's
// flags under the headings of runFlagGroups.
func usageText(c *cobra.Command) string {
	var b strings.Builder
	b.WriteString("Usage:\n")
	if c.Runnable() {
		fmt.Fprintf(&b, "  %s\n", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "  %s [command]\n", c.CommandPath())
	}
	if c.HasExample() {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", c.Example)
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		subs := slices.Clone(c.Commands())
		slices.SortStableFunc(subs, func(a, b *cobra.Command) int { return commandRank(a) - commandRank(b) })
		for _, sub := range subs {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				writeColumns(&b, "  "+sub.Name(), sub.Short, 14)
			}
		}
	}
	writeGroups(&b, c.LocalFlags(), flagGroupsOf(c))
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nUse \"%s [command] --help\" for more information about a command.\n", c.CommandPath())
	}
	return b.String()
}

// flagGroupsOf is how a command's help sorts its flags: run's under
// runFlagGroups' headings, another's in one list.
func flagGroupsOf(c *cobra.Command) []flagGroup {
	if c.Name() == "run" && c.HasParent() {
		return runFlagGroups
	}
	return []flagGroup{{"Flags", nil}}
}

// listedGroup is a heading and the flags listed under it.
type listedGroup struct {
	heading string
	flags   []*pflag.Flag
}

// listGroups sorts the visible flags of fs under each group's heading (a
// group with no list takes every flag), and those of no group under "Other
// flags"; groups with no flag are left out.
func listGroups(fs *pflag.FlagSet, groups []flagGroup) []listedGroup {
	listed := map[string]bool{}
	var out []listedGroup
	add := func(heading string, flags []*pflag.Flag) {
		for _, f := range flags {
			listed[f.Name] = true
		}
		if len(flags) > 0 {
			out = append(out, listedGroup{heading, flags})
		}
	}
	for _, g := range groups {
		var flags []*pflag.Flag
		if g.flags == nil {
			fs.VisitAll(func(f *pflag.Flag) {
				if !f.Hidden {
					flags = append(flags, f)
				}
			})
		}
		for _, name := range g.flags {
			if f := fs.Lookup(name); f != nil && !f.Hidden {
				flags = append(flags, f)
			}
		}
		add(g.heading, flags)
	}
	var rest []*pflag.Flag
	fs.VisitAll(func(f *pflag.Flag) {
		if !listed[f.Name] && !f.Hidden {
			rest = append(rest, f)
		}
	})
	add("Other flags", rest)
	return out
}

// writeGroups writes the flags of fs under their headings.
func writeGroups(w io.Writer, fs *pflag.FlagSet, groups []flagGroup) {
	column := 0
	fs.VisitAll(func(f *pflag.Flag) { column = max(column, min(len(flagSpec(f))+2, 28)) })
	for _, g := range listGroups(fs, groups) {
		fmt.Fprintf(w, "\n%s:\n", g.heading)
		for _, f := range g.flags {
			writeColumns(w, flagSpec(f), flagUsage(f), column)
		}
	}
}

// flagSpec is a flag as it is typed: "  -j, --jobs N", "      --cmd TEMPLATE",
// "      --dry-run[=MODE]" for a value that may be left out.
func flagSpec(f *pflag.Flag) string {
	s := "      --" + f.Name
	if f.Shorthand != "" {
		s = "  -" + f.Shorthand + ", --" + f.Name
	}
	return s + valueSpec(f, placeholder(f))
}

// valueSpec is what follows a flag's name: " N", "[=MODE]" when the value
// may be left out, nothing for a switch.
func valueSpec(f *pflag.Flag, name string) string {
	switch {
	case name == "":
		return ""
	case f.NoOptDefVal != "":
		return "[=" + name + "]"
	}
	return " " + name
}

// placeholder names a flag's value; "" for a switch.
func placeholder(f *pflag.Flag) string {
	if f.Value.Type() == "bool" {
		return ""
	}
	if name, _ := pflag.UnquoteUsage(f); strings.Contains(f.Usage, "`") {
		return name
	}
	if p, ok := placeholders[f.Name]; ok {
		return p
	}
	if p, ok := typePlaceholders[f.Value.Type()]; ok {
		return p
	}
	if t := f.Value.Type(); t != "" && strings.ToUpper(t) == t {
		return t // a Value of drover's own names itself
	}
	return "VALUE"
}

// flagUsage is a flag's description with its default, when it has one.
func flagUsage(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	switch f.DefValue {
	case "", "0", "0s", "false", "[]", "-1":
	default:
		if !strings.Contains(usage, "(default") {
			usage += " (default " + f.DefValue + ")"
		}
	}
	return usage
}

// writeColumns writes a term and its text, the text wrapped to helpWidth
// in a column from column on; a term too wide for it puts the text on the
// next line.
func writeColumns(w io.Writer, term, text string, column int) {
	line := term
	if len(term)+2 > column {
		fmt.Fprintln(w, term)
		line = ""
	}
	for _, word := range strings.Fields(text) {
		switch {
		case len(line) < column:
			line = fmt.Sprintf("%-*s%s", column, line, word)
		case len(line)+1+len(word) > helpWidth:
			fmt.Fprintln(w, line)
			line = strings.Repeat(" ", column) + word
		default:
			line += " " + word
		}
	}
	fmt.Fprintln(w, line)
}
