package cmd

import (
	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/jobspec"
)

func newSchemaCmd(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the job object",
		Long: `schema prints the JSON Schema (draft 2020-12) of one job object, for editors
and other tools to check job files with (for example, every *.drover.json).
It is as strict as drover validate wherever a schema can be; what no schema
can say (a key given twice, an id given to two jobs, a need that names no
earlier job, an id's length in bytes, a duration too long to hold) drover
validate still checks.`,
		Example: `  drover schema > drover.schema.json`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			_, err := ios.Out.Write(jobspec.Schema())
			return err
		},
	}
}
