package cmd

import (
	"context"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/runner/fleet"
)

// natsConn holds how a command authenticates to the NATS server: the
// credential flags, with the environment as their defaults. Secrets never
// need to be on the command line, where ps shows them.
type natsConn struct {
	creds, nkey, ca string
	prefix          string // --prefix
}

// The environment variables drover reads for NATS.
const (
	envNATSURL      = "DROVER_NATS_URL" // the URL, for worker, status, wait and cancel without --nats
	envNATSUser     = "DROVER_NATS_USER"
	envNATSPassword = "DROVER_NATS_PASSWORD"
	envNATSToken    = "DROVER_NATS_TOKEN"
	envNATSCreds    = "DROVER_NATS_CREDS"
	envNATSNKey     = "DROVER_NATS_NKEY"
	envNATSCA       = "DROVER_NATS_CA"
)

// secretEnv are the variables of drover's own that carry credentials, or
// name the files that hold them: jobs never inherit them.
var secretEnv = []string{envNATSURL, envNATSUser, envNATSPassword, envNATSToken, envNATSCreds, envNATSNKey}

// jobEnviron is env without drover's secret variables: the environment
// jobs start from.
func jobEnviron(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(secretEnv, name) {
			out = append(out, kv)
		}
	}
	return out
}

func (c *natsConn) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.creds, "nats-creds", "", "NATS credentials file (user JWT and NKey seed; env "+envNATSCreds+")")
	fs.StringVar(&c.nkey, "nats-nkey", "", "file holding the NKey seed to authenticate with (env "+envNATSNKey+")")
	fs.StringVar(&c.ca, "nats-ca", "", "PEM file of the CA certificates to trust for TLS to the server (env "+envNATSCA+")")
	c.addPrefixFlag(fs)
}

// natsURL is the --nats URL, or DROVER_NATS_URL without it.
func natsURL(ios *iostreams.IOStreams, flag string) string {
	if flag != "" {
		return flag
	}
	return ios.Getenv(envNATSURL)
}

// dial connects to the NATS server at url as name, with the reply
// subjects of the namespace of --prefix (c.names). A credential file that
// cannot be read, a server that cannot be reached or that refuses drover
// is a usage error (exit 2) naming the server without its password.
func (c *natsConn) dial(ios *iostreams.IOStreams, url, name string, note func(string)) (*nats.Conn, error) {
	names, err := c.namespace(ios)
	if err != nil {
		return nil, err
	}
	o := fleet.ConnOptions{URL: url, Name: name, OnChange: note, Inbox: names.Inbox,
		User: ios.Getenv(envNATSUser), Password: ios.Getenv(envNATSPassword), Token: ios.Getenv(envNATSToken),
		CredsFile: orEnv(ios, c.creds, envNATSCreds), NKeyFile: orEnv(ios, c.nkey, envNATSNKey), CAFile: orEnv(ios, c.ca, envNATSCA)}
	for _, f := range []struct{ flag, path string }{{"--nats-creds", o.CredsFile}, {"--nats-nkey", o.NKeyFile}, {"--nats-ca", o.CAFile}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return nil, usageError("%s: %v", f.flag, unwrapPath(err))
		}
	}
	nc, err := fleet.Dial(o)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return nc, nil
}

// open dials url as name and opens the namespace of --prefix on the
// server, with replicas copies of the streams it creates (0: one, and
// any number for those it finds), within limit. Whatever fails is a usage
// error (exit 2) naming the server without its password.
func (c *natsConn) open(ios *iostreams.IOStreams, url, name string, replicas int, note func(string)) (*fleet.Server, error) {
	nc, err := c.dial(ios, url, name, note)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), openLimit)
	defer cancel()
	names, _ := c.namespace(ios) // as dial found it
	srv, err := fleet.OpenServer(ctx, nc, names.Prefix, replicas)
	if err != nil {
		nc.Close()
		return nil, c.fail(ios, url, err)
	}
	return srv, nil
}

// fail is the usage error of err, from the server at url, with every
// secret of the URL and of the environment masked.
func (c *natsConn) fail(ios *iostreams.IOStreams, url string, err error) error {
	msg := fleet.Mask(err.Error(), url, ios.Getenv(envNATSPassword), ios.Getenv(envNATSToken))
	return usageError("NATS server at %s: %s", fleet.Redact(url), msg)
}

// openLimit bounds the opening of a namespace on the server.
const openLimit = 10 * time.Second

func orEnv(ios *iostreams.IOStreams, v, env string) string {
	if v != "" {
		return v
	}
	return ios.Getenv(env)
}
