package cmd

import (
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner/fleet"
)

// prefixEnv names the namespace when --prefix is not given.
const prefixEnv = "DROVER_NATS_PREFIX"

// natsNamespace holds the flags that drover worker and drover run --nats
// share to find their streams: --replicas and --prefix.
type natsNamespace struct {
	replicas int
	prefix   string
}

func (n *natsNamespace) addFlags(fs *pflag.FlagSet, prefixNote string) {
	fs.IntVar(&n.replicas, "replicas", 1, prefixNote+"`N` copies of each stream when drover creates them; when given, an existing stream must have N")
	fs.StringVar(&n.prefix, "prefix", "", prefixNote+"`NAME`space of the streams, consumer and subjects, for one team of several on a server (default $"+prefixEnv+")")
}

// resolve returns the namespace's names and the replicas to ask of the
// streams: 0 when --replicas was not given, which takes the streams'
// replicas as they are (1 when drover creates them).
func (n *natsNamespace) resolve(ios *iostreams.IOStreams, changed func(string) bool) (fleet.Names, int, error) {
	prefix := n.prefix
	if !changed("prefix") {
		prefix = ios.Getenv(prefixEnv)
	}
	names, err := fleet.NewNames(prefix)
	if err != nil {
		if !changed("prefix") {
			return fleet.Names{}, 0, usageError("$%s: %v", prefixEnv, err)
		}
		return fleet.Names{}, 0, usageError("--prefix: %v", err)
	}
	if n.replicas < 1 || n.replicas > 5 {
		return fleet.Names{}, 0, usageError("--replicas must be from 1 to 5, got %d", n.replicas)
	}
	if !changed("replicas") {
		return names, 0, nil
	}
	return names, n.replicas, nil
}

// where says which namespace of a server is used, for a log line.
func where(url string, names fleet.Names) string {
	if names.Prefix == "" {
		return url
	}
	return url + " (prefix " + names.Prefix + ")"
}
