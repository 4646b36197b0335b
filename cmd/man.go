package cmd

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/drover/drover/cmd/iostreams"
)

func newManCmd(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write man pages for drover and its commands into DIR",
		Long: `man writes a man page (section 1) for drover and one for each of its commands
(drover.1, drover-run.1, ...) into DIR, which it creates if need be.`,
		Example: `  drover man /usr/local/share/man/man1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return usageError("%v", unwrapPath(err))
			}
			root := c.Root()
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{Section: "1", Source: "drover " + version, Manual: "drover manual"}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return usageError("%v", unwrapPath(err))
			}
			return nil
		},
	}
}
