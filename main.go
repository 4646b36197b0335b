// Command drover runs batches of jobs; see the cmd package.
package main

import (
	"os"

	"github.com/drover/drover/cmd"
)

func main() { os.Exit(cmd.Main()) }
