package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/schemas"
	"github.com/drover/drover/jobspec"
)

func newSchemaCmd(ios *iostreams.IOStreams) *cobra.Command {
	names := append([]string{"job"}, schemas.Names...)
	return &cobra.Command{
		Use:   "schema [job|result|summary|event]",
		Short: "Print the JSON Schema of a job, a result record, the summary or an event",
		Long: `schema prints a JSON Schema (draft 2020-12), for editors and programs:

  job      one job object of an input file (the default)
  result   one line of a --results file
  summary  the --summary-json file
  event    one line of an --events stream

The job schema is as strict as drover validate wherever a schema can be;
what no schema can say (a key given twice, an id given to two jobs, a need
that names no earlier job, an id's length in bytes, a duration too long to
hold) drover validate still checks.
The others describe what drover writes; later versions may add fields.`,
		Example: `  drover schema > drover.schema.json
  drover schema result > result.schema.json`,
		Args:      cobra.MatchAll(cobra.MaximumNArgs(1), cobra.OnlyValidArgs),
		ValidArgs: names,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 || args[0] == "job" {
				_, err := ios.Out.Write(jobspec.Schema())
				return err
			}
			b, err := schemas.Schema(args[0])
			if err != nil {
				return usageError("%v (want %s)", err, strings.Join(names, ", "))
			}
			_, err = fmt.Fprint(ios.Out, string(b))
			return err
		},
	}
}
