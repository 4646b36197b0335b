package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/drover/drover/jobspec"
)

// listSeparator starts an inline argument list, as in GNU parallel.
const listSeparator = ":::"

// templateOptions are the flags and ::: lists that build jobs from a
// command template instead of reading job objects.
type templateOptions struct {
	set    bool // --cmd was given, even empty
	cmd    string
	argv   bool
	null   bool
	link   bool
	colsep string
	id     string
	lists  [][]string // one per :::
	// utf8Only refuses commands that are not valid UTF-8 (for --nats).
	utf8Only bool
}

func (o *templateOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.cmd, "cmd", "", "build one job per input item from `TEMPLATE`: {} {.} {/} {//} {/.} {#} {%} {N} {name}, values shell-quoted")
	fs.BoolVar(&o.argv, "cmd-argv", false, "run the --cmd template's words as argv, without a shell")
	fs.BoolVarP(&o.null, "null", "0", false, "with --cmd, input items are separated by NUL bytes (find -print0)")
	fs.BoolVar(&o.link, "link", false, "take the Nth values of the ::: lists together instead of every combination")
	fs.StringVar(&o.colsep, "colsep", "", "with --cmd, split every item into the columns {1} {2} … at matches of `REGEX`")
	fs.StringVar(&o.id, "id", "", "with --cmd, the `TEMPLATE` of each job's id (default: the job number)")
}

// jobTemplate checks the template flags and parses the template; it is nil
// without --cmd. input says whether FILE or stdin is read.
func (o *templateOptions) jobTemplate(format jobspec.Format, input bool) (*jobspec.JobTemplate, error) {
	if !o.set {
		for _, f := range []struct {
			set  bool
			name string
		}{{o.lists != nil, "::: lists need"}, {o.argv, "--cmd-argv needs"}, {o.null, "--null needs"}, {o.link, "--link needs"},
			{o.colsep != "", "--colsep needs"}, {o.id != "", "--id needs"}} {
			if f.set {
				return nil, usageError("%s --cmd TEMPLATE", f.name)
			}
		}
		return nil, nil
	}
	t, err := jobspec.NewJobTemplate(jobspec.TemplateOptions{
		Command: o.cmd, Argv: o.argv, ID: o.id,
		Records: format == jobspec.FormatNDJSON || format == jobspec.FormatJSON,
		Null:    o.null, ColSep: o.colsep, Lists: o.lists, Input: input, Link: o.link,
		RequireUTF8: o.utf8Only,
	})
	if err != nil {
		return nil, usageError("%v", err)
	}
	return t, nil
}

// takeArgs takes the ::: lists off a command's arguments and returns the
// ones before them: FILE, if any. It notes whether --cmd was given.
func (o *templateOptions) takeArgs(c *cobra.Command, args []string) []string {
	o.set = c.Flags().Changed("cmd")
	for i, a := range args {
		if a != listSeparator {
			continue
		}
		for _, b := range args[i:] {
			if b == listSeparator {
				o.lists = append(o.lists, []string{})
			} else {
				o.lists[len(o.lists)-1] = append(o.lists[len(o.lists)-1], b)
			}
		}
		return args[:i]
	}
	return args
}

// fileAndLists is the Args check of a command that takes [FILE] and ::: lists.
func fileAndLists(c *cobra.Command, args []string) error {
	for i, a := range args {
		if a == listSeparator {
			args = args[:i]
			break
		}
	}
	if len(args) > 1 {
		return fmt.Errorf("one FILE at most, got %d (%s): to read several, cat them into drover's stdin (cat a b | drover %s); for inline items, ::: ARG", len(args), strings.Join(args, " "), c.Name())
	}
	return nil
}

// protectLists makes everything after the first ::: of `drover run` or
// `drover validate` an argument, however it looks (-v, --x, --), as GNU
// parallel does: it puts a "--" before the first :::, unless the command
// line has one already. A ::: that is a flag's value (--colsep :::) is not
// a list.
func protectLists(root *cobra.Command, args []string) []string {
	c, _, err := root.Find(args)
	if err != nil || c.Name() != "run" && c.Name() != "validate" {
		return args
	}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--":
			return args
		case a == listSeparator:
			return append(append(args[:i:i], "--"), args[i:]...)
		case takesValue(c.Flags(), a):
			i++
		}
	}
	return args
}

// takesValue reports whether arg is a flag whose value is the next
// argument.
func takesValue(fs *pflag.FlagSet, arg string) bool {
	needs := func(f *pflag.Flag) bool { return f != nil && f.NoOptDefVal == "" }
	switch {
	case strings.HasPrefix(arg, "--"):
		return !strings.Contains(arg, "=") && needs(fs.Lookup(arg[2:]))
	case strings.HasPrefix(arg, "-") && len(arg) > 1:
		for i := 1; i < len(arg); i++ {
			if f := fs.ShorthandLookup(arg[i : i+1]); needs(f) {
				return i == len(arg)-1 // -j4 holds its value; -qj takes the next
			}
		}
	}
	return false
}
