package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/iostreams"
)

// version and commit are set at build time with
// -ldflags "-X github.com/drover/drover/cmd.version=... -X ...commit=...".
// make sets version from the last v* tag (git describe), or v0.0.0-dev.
var (
	version = ""
	commit  = ""
)

// devVersion is the version of a build that knows none.
const devVersion = "v0.0.0-dev"

// versionString is "drover vX.Y.Z (commit C, goV os/arch)".
func versionString() string {
	v, c := buildVersion()
	return fmt.Sprintf("drover %s (commit %s, %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// buildVersion is the version and commit set at build time, or else what
// the Go toolchain recorded (go install module@vX.Y.Z records the
// version); a version always starts with "v".
func buildVersion() (v, c string) {
	v, c = version, commit
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && strings.HasPrefix(info.Main.Version, "v") {
		v = info.Main.Version
	}
	if c == "" && ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				c = s.Value
			}
		}
	}
	switch {
	case v == "":
		v = devVersion
	case !strings.HasPrefix(v, "v"):
		v = devVersion + "+" + v // a commit, from a clone without tags
	}
	if c == "" {
		c = "unknown"
	}
	return v, c
}

func newVersionCmd(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print drover's version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(ios.Out, versionString())
			return err
		},
	}
}
