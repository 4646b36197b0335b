package cmd

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/drover/drover/runner/fleet"
)

// natsserver starts a NATS server with JetStream inside the test process,
// on a free loopback port, and sets NATS_URL to it. It is shut down when
// the script ends.
func cmdNATSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: natsserver")
	}
	store, err := os.MkdirTemp(ts.MkAbs("."), "nats-store")
	ts.Check(err)
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: store, NoLog: true, NoSigs: true})
	ts.Check(err)
	s.Start()
	ts.Defer(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(10 * time.Second) {
		ts.Fatalf("the NATS server did not start")
	}
	ts.Setenv("NATS_URL", s.ClientURL())
}

// natsqueued N [STREAM] waits until the job queue (or STREAM) of the
// server at NATS_URL holds N jobs.
func cmdNATSQueued(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: natsqueued N [STREAM]")
	}
	stream := fleet.JobsStream
	if len(args) == 2 {
		stream = args[1]
	}
	want, err := strconv.ParseUint(args[0], 10, 64)
	ts.Check(err)
	nc, err := nats.Connect(ts.Getenv("NATS_URL"))
	ts.Check(err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	ts.Check(err)
	var got uint64
	for deadline := time.Now().Add(awaitLimit); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := js.Stream(ctx, stream)
		cancel()
		if err == nil {
			if got = st.CachedInfo().State.Msgs; got == want {
				return
			}
		}
	}
	ts.Fatalf("the queue holds %d jobs, not %d, after %s", got, want, awaitLimit)
}
