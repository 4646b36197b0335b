package fleet

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/drover/drover/runner/fleet/fleettest"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"nats://127.0.0.1:4222":                        "nats://127.0.0.1:4222",
		"nats://alice:s3cret@q:4222":                   "nats://alice:xxxxx@q:4222",
		"nats://s3cret@q:4222":                         "nats://xxxxx@q:4222",
		"tls://alice:p%40ss@a:1,nats://bob:x@b:2,c:3":  "tls://alice:xxxxx@a:1,nats://bob:xxxxx@b:2,c:3",
		"nats://alice:s3c ret@q:4222":                  "nats://xxxxx@q:4222",
		"alice:s3cret@q:4222":                          "xxxxx@q:4222",
		"nats://alice:s3cret@q:4222/%zz":               "nats://xxxxx@q:4222/%zz",
		"nats://[::1]:4222":                            "nats://[::1]:4222",
		"nats://u:p@[::1]:4222, nats://u:p@[::2]:4222": "nats://u:xxxxx@[::1]:4222,nats://u:xxxxx@[::2]:4222",
		"": "",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever the shape of a URL, an error never shows its password or
// token: a port that does not parse, a list, no scheme, an @ or a quote in
// the password.
func TestDialMasksSecretsInAnyShape(t *testing.T) {
	for _, u := range []string{
		"nats://alice:s3cret@127.0.0.1:badport",
		"nats://s3cret@127.0.0.1:badport",
		"alice:s3cret@127.0.0.1:badport",
		"nats://127.0.0.1:1,nats://bob:s3cret@[::1:bad",
		"nats://alice:s3c@ret@127.0.0.1:x",
		"nats://alice:s3\"cret@127.0.0.1:x",
		"nats://alice:s3%63ret@127.0.0.1:x",
		"nats://alice:s3cret@127.0.0.1:1/%zz",
	} {
		err := dialErr(t, ConnOptions{URL: u})
		for _, leak := range []string{"s3cret", "s3c@ret", `s3\"cret`, `s3"cret`, "s3%63ret"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: the error shows the secret: %v", u, err)
			}
		}
	}
	err := dialErr(t, ConnOptions{URL: "nats://127.0.0.1:badport", Password: "pw-from-env", Token: "tok-from-env"})
	if strings.Contains(err.Error(), "from-env") {
		t.Errorf("the error shows a secret of the environment: %v", err)
	}
}

// dialErr dials with o and returns the error, failing the test if it
// connects.
func dialErr(t *testing.T, o ConnOptions) error {
	t.Helper()
	nc, err := Dial(o)
	if err == nil {
		nc.Close()
		t.Fatalf("%+v: connected", o)
	}
	return err
}

func dialOK(t *testing.T, o ConnOptions) {
	t.Helper()
	nc, err := Dial(o)
	if err != nil {
		t.Fatalf("%+v: %v", o, err)
	}
	nc.Close()
}

func TestDialWithUserAndPassword(t *testing.T) {
	s := runServer(t, func(o *server.Options) { o.Username, o.Password = "alice", "s3cret" })
	host := strings.TrimPrefix(s.ClientURL(), "nats://")
	dialOK(t, ConnOptions{URL: "nats://alice:s3cret@" + host})
	dialOK(t, ConnOptions{URL: s.ClientURL(), User: "alice", Password: "s3cret"})
	err := dialErr(t, ConnOptions{URL: "nats://alice:wrong@" + host})
	if msg := err.Error(); strings.Contains(msg, "wrong") || !strings.Contains(msg, "nats://alice:xxxxx@"+host) ||
		!strings.Contains(msg, "check the user and password") {
		t.Errorf("err = %v", err)
	}
}

func TestDialWithToken(t *testing.T) {
	s := runServer(t, func(o *server.Options) { o.Authorization = "t0ken" })
	dialOK(t, ConnOptions{URL: s.ClientURL(), Token: "t0ken"})
	if err := dialErr(t, ConnOptions{URL: s.ClientURL(), Token: "other"}); !strings.Contains(err.Error(), "Authorization Violation") {
		t.Errorf("err = %v", err)
	}
}

func TestDialWithNKey(t *testing.T) {
	user, _ := nkeys.CreateUser()
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	s := runServer(t, func(o *server.Options) { o.Nkeys = []*server.NkeyUser{{Nkey: pub}} })
	dir := t.TempDir()
	file := filepath.Join(dir, "user.nk")
	os.WriteFile(file, seed, 0o600)
	dialOK(t, ConnOptions{URL: s.ClientURL(), NKeyFile: file})

	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	os.WriteFile(file, otherSeed, 0o600)
	dialErr(t, ConnOptions{URL: s.ClientURL(), NKeyFile: file})
	if err := dialErr(t, ConnOptions{URL: s.ClientURL()}); !strings.Contains(err.Error(), "--nats-nkey") {
		t.Errorf("without the seed: %v", err)
	}
	err := dialErr(t, ConnOptions{URL: s.ClientURL(), NKeyFile: filepath.Join(dir, "missing.nk")})
	if !strings.Contains(err.Error(), "missing.nk") {
		t.Errorf("missing seed file: %v", err)
	}
}

// A credentials file (user JWT and seed) on a server in operator mode.
func TestDialWithCredentials(t *testing.T) {
	file, edit, err := fleettest.OperatorMode(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := runServer(t, edit)
	dialOK(t, ConnOptions{URL: s.ClientURL(), CredsFile: file})
	dialErr(t, ConnOptions{URL: s.ClientURL()})
	if err := dialErr(t, ConnOptions{URL: s.ClientURL(), CredsFile: file + ".missing"}); !strings.Contains(err.Error(), "credentials file") {
		t.Errorf("missing file: %v", err)
	}
}

// TLS with a CA made here: trusted with CAFile, refused without it, with
// an error that says what to do.
func TestDialWithTLS(t *testing.T) {
	dir := t.TempDir()
	caFile, cert, err := fleettest.MakeCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := runServer(t, func(o *server.Options) {
		o.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		o.TLS = true
		o.TLSTimeout = 5
	})
	dialOK(t, ConnOptions{URL: s.ClientURL(), CAFile: caFile})
	dialOK(t, ConnOptions{URL: strings.Replace(s.ClientURL(), "nats://", "tls://", 1), CAFile: caFile})
	if err := dialErr(t, ConnOptions{URL: s.ClientURL()}); !strings.Contains(err.Error(), "give --nats-ca FILE") {
		t.Errorf("without the CA: %v", err)
	}
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o644)
	if err := dialErr(t, ConnOptions{URL: s.ClientURL(), CAFile: bad}); !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("bad CA file: %v", err)
	}
}
