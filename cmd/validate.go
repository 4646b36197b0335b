package cmd

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/jobspec"
)

type validateOptions struct {
	input inputOptions
	quiet bool
	file  string
}

func newValidateCmd(ios *IOStreams) *cobra.Command {
	opts := &validateOptions{}
	c := &cobra.Command{
		Use:   "validate [flags] [FILE]",
		Short: "Check every record of a job list; run nothing",
		Long: `validate reads the whole job list (FILE, or stdin when FILE is absent or -)
and prints every bad record as FILE:LINE: message, then a count.
It exits 0 when every record is valid and 2 otherwise.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.file = args[0]
			}
			return runValidate(ios, opts)
		},
	}
	opts.input.addFlags(c.Flags())
	c.Flags().BoolVarP(&opts.quiet, "quiet", "q", false, "print only the bad records")
	return c
}

func runValidate(ios *IOStreams, opts *validateOptions) error {
	in, err := opts.input.open(ios, opts.file)
	if err != nil {
		return err
	}
	defer in.close()
	out := bufio.NewWriter(ios.Out)
	defer out.Flush()
	res, err := checkAll(in.decoder(), jobspec.Shard{}, func(bad error) { fmt.Fprintln(out, bad) }, nil)
	if err != nil {
		return usageError("%s: %v", in.name, err)
	}
	if !opts.quiet {
		switch {
		case res.bad == 0:
			fmt.Fprintf(out, "%s: %s, all valid\n", in.name, plural(res.records, "job"))
		default:
			fmt.Fprintf(out, "%s: %s invalid, %s valid\n", in.name, plural(res.bad, "record"), plural(res.records, "job"))
		}
	}
	if res.bad > 0 {
		return silent(exitUsage)
	}
	return nil
}

// plural writes a count with its noun: "1 job", "2 jobs", "3 retries".
func plural(n int, word string) string {
	switch {
	case n == 1:
		return fmt.Sprintf("1 %s", word)
	case strings.HasSuffix(word, "s"):
		return fmt.Sprintf("%d %ses", n, word)
	case strings.HasSuffix(word, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
