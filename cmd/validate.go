package cmd

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/input"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

type validateOptions struct {
	input inputOptions
	quiet bool
	file  string
}

func newValidateCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &validateOptions{}
	c := &cobra.Command{
		Use:   "validate [flags] [FILE] [::: ARG...]...",
		Short: "Check every record of a job list; run nothing",
		Long: `validate reads the whole job list (FILE, or stdin when FILE is absent or -)
and prints every bad record as FILE:LINE: message, then a count. A job
with needs is shown as FILE:LINE: ID needs ID, ... (when: ...).
It exits 0 when every record is valid and 2 otherwise. With --cmd TEMPLATE,
it checks the items and the jobs the template makes of them, as run would.`,
		Args: fileAndLists,
		RunE: func(c *cobra.Command, args []string) error {
			args = opts.input.template.takeArgs(c, args)
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

func runValidate(ios *iostreams.IOStreams, opts *validateOptions) error {
	in, err := opts.input.open(ios, opts.file)
	if err != nil {
		return err
	}
	defer in.Close()
	out := bufio.NewWriter(ios.Out)
	defer out.Flush()
	showNeeds := func(job *jobspec.Job) {
		if len(job.Needs) > 0 && !opts.quiet {
			fmt.Fprintf(out, "%s: %s %s\n", termtext.Escape(job.Record.String()), termtext.Escape(job.ID), console.NeedsText(job))
		}
	}
	res, err := input.CheckEach(in.Decoder(), jobspec.Shard{}, func(bad error) { fmt.Fprintln(out, termtext.EscapeMessage(bad.Error())) }, nil, showNeeds)
	if err != nil {
		return usageError("%s: %v", in.Name, err)
	}
	if !opts.quiet {
		switch {
		case res.Bad == 0:
			fmt.Fprintf(out, "%s: %s, all valid\n", in.Name, runner.Plural(res.Records, "job"))
		default:
			fmt.Fprintf(out, "%s: %s invalid, %s valid\n", in.Name, runner.Plural(res.Bad, "record"), runner.Plural(res.Records, "job"))
		}
	}
	if res.Bad > 0 {
		return silent(exitUsage)
	}
	return nil
}
