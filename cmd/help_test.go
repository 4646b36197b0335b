package cmd

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/iostreams"
)

// helpOf runs `drover ARGS... --help` and returns what it printed.
func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	ios, out, errOut := iostreams.Test("")
	root := NewRootCmd(ios)
	root.SetArgs(append(args, "--help"))
	if code := Execute(root, ios); code != 0 {
		t.Fatalf("drover %s --help: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out.String()
}

// TestRunFlagsHaveGroups: every flag of run has a heading in its help, so
// that a new flag cannot slip into "Other flags".
func TestRunFlagsHaveGroups(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	run, _, err := NewRootCmd(ios).Find([]string{"run"})
	if err != nil {
		t.Fatal(err)
	}
	run.InitDefaultHelpFlag()
	grouped := map[string]string{}
	for _, g := range runFlagGroups {
		for _, name := range g.flags {
			if other, ok := grouped[name]; ok {
				t.Errorf("--%s is under %q and %q", name, other, g.heading)
			}
			grouped[name] = g.heading
		}
	}
	run.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if _, ok := grouped[f.Name]; !ok {
			t.Errorf("--%s has no heading in runFlagGroups (cmd/help.go)", f.Name)
		}
	})
}

// TestHelpFitsEightyColumns: every command's help, every line within 80
// columns, and every value named (no VALUE placeholder).
func TestHelpFitsEightyColumns(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			walk(sub, append(slices.Clone(path), sub.Name()))
		}
	}
	walk(NewRootCmd(ios), nil)
	for _, path := range paths {
		for i, line := range strings.Split(helpOf(t, path...), "\n") {
			if n := utf8.RuneCountInString(line); n > helpWidth {
				t.Errorf("drover %s --help, line %d: %d columns: %s", strings.Join(path, " "), i+1, n, line)
			}
			if strings.Contains(line, " VALUE ") {
				t.Errorf("drover %s --help, line %d: a value without a name (placeholders, cmd/help.go): %s", strings.Join(path, " "), i+1, line)
			}
		}
	}
}

func TestRunHelp(t *testing.T) {
	help := helpOf(t, "run")
	last := -1
	for _, g := range runFlagGroups {
		i := strings.Index(help, "\n"+g.heading+":\n")
		if i < last {
			t.Errorf("heading %q missing or out of order", g.heading)
		}
		last = i
	}
	for _, want := range []string{"  -j, --jobs N ", "      --cmd TEMPLATE ", "      --timeout DUR ", "      --results FILE ",
		"      --max-failures N|N% ", "{/.}    base name, no extension"} {
		if !strings.Contains(help, want) {
			t.Errorf("run's help lacks %q", want)
		}
	}
	for _, bad := range []string{" string  ", " int  ", " duration  ", "Other flags:"} {
		if strings.Contains(help, bad) {
			t.Errorf("run's help has %q", bad)
		}
	}
	examples := help[strings.Index(help, "Examples:\n")+len("Examples:\n"):]
	if first, _, _ := strings.Cut(examples, "\n"); !strings.Contains(first, "--cmd") {
		t.Errorf("the first example is not a template one: %s", first)
	}
	if root := helpOf(t); !strings.Contains(root, "--cmd") || !strings.Contains(root, ":::") {
		t.Errorf("drover --help shows neither --cmd nor :::\n%s", root)
	}
}

// TestFlagSpec: a flag as it is typed, its value named; a value that may
// be left out in brackets.
func TestFlagSpec(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.StringP("output", "o", "group", "job output")
	fs.String("dry-run", "", "print, as `MODE`")
	fs.Lookup("dry-run").NoOptDefVal = "list"
	fs.Bool("quiet", false, "quiet")
	fs.Duration("timeout", 0, "timeout")
	for name, want := range map[string]string{
		"output": "  -o, --output MODE", "dry-run": "      --dry-run[=MODE]",
		"quiet": "      --quiet", "timeout": "      --timeout DUR",
	} {
		if got := flagSpec(fs.Lookup(name)); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
