package cmd

import (
	"os"

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

func (c *natsConn) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.creds, "nats-creds", "", "NATS credentials file (user JWT and NKey seed; env "+envNATSCreds+")")
	fs.StringVar(&c.nkey, "nats-nkey", "", "file holding the NKey seed to authenticate with (env "+envNATSNKey+")")
	fs.StringVar(&c.ca, "nats-ca", "", "PEM file of the CA certificates to trust for TLS to the server (env "+envNATSCA+")")
}

// natsURL is the --nats URL, or DROVER_NATS_URL without it.
func natsURL(ios *iostreams.IOStreams, flag string) string {
	if flag != "" {
		return flag
	}
	return ios.Getenv(envNATSURL)
}

// dial connects to the NATS server at url as name. A credential file that
// cannot be read, a server that cannot be reached or that refuses drover
// is a usage error (exit 2) naming the server without its password.
func (c *natsConn) dial(ios *iostreams.IOStreams, url, name string, note func(string)) (*nats.Conn, error) {
	o := fleet.ConnOptions{URL: url, Name: name, OnChange: note,
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

func orEnv(ios *iostreams.IOStreams, v, env string) string {
	if v != "" {
		return v
	}
	return ios.Getenv(env)
}
