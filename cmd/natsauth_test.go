package cmd

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/drover/drover/runner/fleet/fleettest"

	"github.com/drover/drover/cmd/iostreams"
)

// droverEnv runs drover in this process with the environment env.
func droverEnv(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	ios, out, errOut := iostreams.Test("", env...)
	root := NewRootCmd(ios)
	root.SetArgs(args)
	return Execute(root, ios), out.String(), errOut.String()
}

// authServer starts an embedded NATS server with JetStream and the options
// edit sets, and returns its host:port.
func authServer(t *testing.T, edit func(*server.Options)) string {
	_, host, _ := strings.Cut(fleettest.RunServer(t, edit).ClientURL(), "://")
	return host
}

// A password in the URL works and is never printed; the environment can
// carry the URL and the secrets instead of the command line.
func TestNATSPasswordIsNeverPrinted(t *testing.T) {
	host := authServer(t, func(o *server.Options) { o.Username, o.Password = "alice", "s3cret" })
	jobs := filepath.Join(t.TempDir(), "jobs.ndjson")
	os.WriteFile(jobs, []byte(`{"cmd":"true"}`+"\n"), 0o644)
	for _, tc := range []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{nil, []string{"status", "--nats", "nats://alice:s3cret@" + host}, exitOK, "RUN"},
		{nil, []string{"status", "--nats", "nats://alice:wrong@" + host}, exitUsage, "cannot reach the NATS server at nats://alice:xxxxx@" + host},
		{nil, []string{"run", "--nats", "nats://alice:wrong@" + host, jobs}, exitUsage, "nats://alice:xxxxx@"},
		{nil, []string{"worker", "--nats", "nats://alice:wrong@" + host}, exitUsage, "nats://alice:xxxxx@"},
		{[]string{"DROVER_NATS_URL=nats://" + host, "DROVER_NATS_USER=alice", "DROVER_NATS_PASSWORD=s3cret"}, []string{"status"}, exitOK, "RUN"},
		{[]string{"DROVER_NATS_URL=nats://" + host, "DROVER_NATS_USER=alice", "DROVER_NATS_PASSWORD=wrong"}, []string{"status"}, exitUsage, "check the user and password"},
		{nil, []string{"status"}, exitUsage, "status needs --nats URL (or DROVER_NATS_URL)"},
		// A URL that does not parse: its password is masked all the same.
		{nil, []string{"run", "--nats", "nats://alice:s3cret@127.0.0.1:badport", jobs}, exitUsage, "xxxxx"},
		{nil, []string{"worker", "--nats", "nats://alice:s3cret@127.0.0.1:badport"}, exitUsage, "xxxxx"},
		{nil, []string{"status", "--nats", "nats://s3cret@127.0.0.1:badport"}, exitUsage, "xxxxx"},
		{nil, []string{"wait", "0123456789abcdef", "--nats", "nats://127.0.0.1:1,alice:s3cret@[::1:bad"}, exitUsage, "xxxxx"},
		{[]string{"DROVER_NATS_URL=nats://alice:s3cret@127.0.0.1:badport"}, []string{"cancel", "0123456789abcdef"}, exitUsage, "xxxxx"},
	} {
		code, out, errOut := droverEnv(t, tc.env, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v %v: exit %d, %q %q; want %d and %q", tc.env, tc.args, code, out, errOut, tc.code, tc.want)
		}
		if strings.Contains(out+errOut, "s3cret") || strings.Contains(out+errOut, "wrong") {
			t.Errorf("%v: the password was printed: %q", tc.args, errOut)
		}
	}
}

func TestNATSTokenNKeyAndCredentialFiles(t *testing.T) {
	tokenHost := authServer(t, func(o *server.Options) { o.Authorization = "t0ken" })
	if code, _, errOut := droverEnv(t, []string{"DROVER_NATS_TOKEN=t0ken"}, "status", "--nats", "nats://"+tokenHost); code != exitOK {
		t.Errorf("token: exit %d: %s", code, errOut)
	}
	user, _ := nkeys.CreateUser()
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	nkeyHost := authServer(t, func(o *server.Options) { o.Nkeys = []*server.NkeyUser{{Nkey: pub}} })
	dir := t.TempDir()
	seedFile := filepath.Join(dir, "user.nk")
	os.WriteFile(seedFile, seed, 0o600)
	if code, _, errOut := drover(t, "status", "--nats", "nats://"+nkeyHost, "--nats-nkey", seedFile); code != exitOK {
		t.Errorf("--nats-nkey: exit %d: %s", code, errOut)
	}
	if code, _, errOut := droverEnv(t, []string{"DROVER_NATS_NKEY=" + seedFile}, "status", "--nats", "nats://"+nkeyHost); code != exitOK {
		t.Errorf("DROVER_NATS_NKEY: exit %d: %s", code, errOut)
	}
	if code, _, errOut := drover(t, "status", "--nats", "nats://"+nkeyHost); code != exitUsage || !strings.Contains(errOut, "--nats-nkey") {
		t.Errorf("without the seed: exit %d: %s", code, errOut)
	}
	credsFile, edit, err := fleettest.OperatorMode(dir)
	if err != nil {
		t.Fatal(err)
	}
	credsHost := authServer(t, edit) // its account has no JetStream: a connection gets that far
	if code, _, errOut := drover(t, "status", "--nats", "nats://"+credsHost, "--nats-creds", credsFile); code != exitUsage || !strings.Contains(errOut, "JetStream") {
		t.Errorf("--nats-creds: exit %d: %s", code, errOut)
	}
	if code, _, errOut := droverEnv(t, []string{"DROVER_NATS_CREDS=" + credsFile}, "status", "--nats", "nats://"+credsHost); code != exitUsage || !strings.Contains(errOut, "JetStream") {
		t.Errorf("DROVER_NATS_CREDS: exit %d: %s", code, errOut)
	}
	if code, _, errOut := drover(t, "status", "--nats", "nats://"+credsHost); code != exitUsage || !strings.Contains(errOut, "Authorization Violation") {
		t.Errorf("without the credentials: exit %d: %s", code, errOut)
	}
	for _, flag := range []string{"--nats-nkey", "--nats-creds", "--nats-ca"} {
		missing := filepath.Join(dir, "missing")
		code, _, errOut := drover(t, "status", "--nats", "nats://"+nkeyHost, flag, missing)
		if code != exitUsage || !strings.Contains(errOut, flag+": "+missing+": no such file or directory") {
			t.Errorf("%s missing: exit %d: %s", flag, code, errOut)
		}
	}
}

// TLS with a CA made here: --nats-ca trusts it; without it the error says
// what to do, exit 2.
func TestNATSCA(t *testing.T) {
	dir := t.TempDir()
	caFile, cert, err := fleettest.MakeCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	host := authServer(t, func(o *server.Options) {
		o.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		o.TLS, o.TLSTimeout = true, 5
	})
	if code, _, errOut := drover(t, "status", "--nats", "tls://"+host, "--nats-ca", caFile); code != exitOK {
		t.Errorf("--nats-ca: exit %d: %s", code, errOut)
	}
	code, _, errOut := drover(t, "status", "--nats", "tls://"+host)
	if code != exitUsage || !strings.Contains(errOut, "certificate") || !strings.Contains(errOut, "give --nats-ca FILE") {
		t.Errorf("without the CA: exit %d: %s", code, errOut)
	}
}
