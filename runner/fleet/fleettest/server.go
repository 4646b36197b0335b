package fleettest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// RunServer starts an embedded NATS server with JetStream on a free
// loopback port, with the options edit changes (when set), and shuts it
// down when the test ends.
func RunServer(t testing.TB, edit func(*server.Options)) *server.Server {
	t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true}
	if edit != nil {
		edit(opts)
	}
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	return s
}
