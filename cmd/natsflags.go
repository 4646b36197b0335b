package cmd

import (
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner/fleet"
)

// prefixEnv names the namespace when --prefix is not given.
const prefixEnv = "DROVER_NATS_PREFIX"

// natsNamespace holds --replicas, which drover worker and drover run
// --nats share to create their streams. (--prefix, which every command
// that talks to NATS takes, is in natsConn.)
type natsNamespace struct {
	replicas int
}

func (n *natsNamespace) addFlags(fs *pflag.FlagSet, prefixNote string) {
	fs.IntVar(&n.replicas, "replicas", 1, prefixNote+"`N` copies of each stream when drover creates them; when given, an existing stream must have N")
}

// resolve returns the replicas to ask of the streams: 0 when --replicas
// was not given, which takes the streams' replicas as they are (1 when
// drover creates them).
func (n *natsNamespace) resolve(changed func(string) bool) (int, error) {
	if n.replicas < 1 || n.replicas > 5 {
		return 0, usageError("--replicas must be from 1 to 5, got %d", n.replicas)
	}
	if !changed("replicas") {
		return 0, nil
	}
	return n.replicas, nil
}

// addPrefixFlag adds --prefix, the namespace of the streams, consumer and
// subjects.
func (c *natsConn) addPrefixFlag(fs *pflag.FlagSet) {
	fs.StringVar(&c.prefix, "prefix", "", "`NAME`space of the streams, consumer and subjects, for one team of several on a server (env "+prefixEnv+")")
}

// namespace resolves --prefix, or DROVER_NATS_PREFIX without it, into
// the names of its namespace.
func (c *natsConn) namespace(ios *iostreams.IOStreams) (fleet.Names, error) {
	prefix, from := c.prefix, "--prefix"
	if prefix == "" {
		prefix, from = ios.Getenv(prefixEnv), "$"+prefixEnv
	}
	names, err := fleet.NewNames(prefix)
	if err != nil {
		return fleet.Names{}, usageError("%s: %v", from, err)
	}
	return names, nil
}

// where says which namespace of a server is used, for a log line.
func where(url string, names fleet.Names) string {
	if names.Prefix == "" {
		return url
	}
	return url + " (prefix " + names.Prefix + ")"
}
