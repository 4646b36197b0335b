package fleet

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

func TestUnreachableServer(t *testing.T) {
	_, err := Connect("nats://127.0.0.1:1", "test", nil)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the NATS server at nats://127.0.0.1:1") {
		t.Errorf("err = %v", err)
	}
	if errors.Unwrap(err) == nil {
		t.Error("the cause is not wrapped")
	}
}

// A lost connection is retried: a server that restarts mid-run (same port,
// same storage) loses none of the run's jobs or results.
func TestRunSurvivesAServerRestart(t *testing.T) {
	store := t.TempDir()
	s1 := runServer(t, func(o *server.Options) { o.StoreDir = store })
	url := s1.ClientURL()
	port := s1.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()

	dir := t.TempDir()
	log, gate := filepath.Join(dir, "log"), filepath.Join(dir, "go")
	script := fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s; while [ ! -e %s ]; do sleep 0.01; done`, log, gate)
	// Jobs 1-4 are submitted at once; 5 and 6 only while the server is down.
	all := *shJobs(6, script)
	down := make(chan struct{})
	src := &gatedSource{first: all[:4], then: all[4:], gate: down}
	run := submit(t, url, SubmitConfig{}, src)
	startWorker(t, url, "a", WorkerConfig{Jobs: 6})
	waitFor(t, "four jobs running", func() bool { return len(lines(log)) == 4 })

	s1.Shutdown()
	s1.WaitForShutdown()
	close(down)
	os.WriteFile(gate, nil, 0o644) // the jobs end while the server is down
	accepted := 0
	run.await(t, "jobs 5 and 6 read while the server is down", func(ev runner.Event) bool {
		if ev.Kind == runner.JobAccepted && ev.Job.Seq > 4 {
			accepted++
		}
		return accepted == 2
	})
	runServer(t, func(o *server.Options) { o.StoreDir, o.Port = store, int(port) })
	sum := run.finish(t)
	if sum.Succeeded != 6 || len(run.records) != 6 {
		t.Errorf("summary %+v, %d records; want 6 succeeded", sum.Counts, len(run.records))
	}
	if got := len(lines(log)); got != 6 {
		t.Errorf("the jobs ran %d times, want 6", got)
	}
}

// gatedSource yields first, then waits for gate to close, then yields then.
type gatedSource struct {
	first, then sliceSource
	gate        <-chan struct{}
}

func (s *gatedSource) Next() (*jobspec.Job, error) {
	if job, err := s.first.Next(); err == nil {
		return job, nil
	}
	<-s.gate
	return s.then.Next()
}

func TestServerWithoutJetStream(t *testing.T) {
	nc := connect(t, runServer(t, func(o *server.Options) { o.JetStream = false }).ClientURL())
	_, err := OpenServer(context.Background(), nc, "", 0)
	if err == nil || !strings.Contains(err.Error(), "JetStream is not enabled on this server (start nats-server with -js)") {
		t.Errorf("opening the server: %v", err)
	}
}

// A job message over the server's max_payload fails that job; a result
// over it is sent without the job's output, and the run says so.
func TestMessagesOverMaxPayload(t *testing.T) {
	url := runServer(t, func(o *server.Options) { o.MaxPayload = 1200 }).ClientURL()
	big := strings.Repeat("i", 2000)
	src := sliceSource{
		{ID: "big-stdin", Seq: 1, Argv: []string{"cat"}, Stdin: &big},
		{ID: "big-output", Seq: 2, Argv: []string{"head -c 1000 /dev/zero | tr '\\0' o"}, Shell: true},
	}
	run := submit(t, url, SubmitConfig{}, &src)
	startWorker(t, url, "a", WorkerConfig{})
	sum := run.finish(t)

	if sum.Failed != 1 || sum.Succeeded != 1 {
		t.Fatalf("summary %+v, want 1 failed and 1 succeeded", sum.Counts)
	}
	for _, r := range run.records {
		switch r.ID {
		case "big-stdin":
			if r.Status != runner.Failed || r.Error == nil || !strings.Contains(*r.Error, "cannot submit: nats: maximum payload exceeded") {
				t.Errorf("big-stdin: %s, %v", r.Status, r.Error)
			}
		case "big-output":
			if r.Status != runner.Succeeded {
				t.Errorf("big-output: %s", r.Status)
			}
		}
	}
	if got := run.stdout["big-output"]; got != "" {
		t.Errorf("big-output: %d bytes of stdout came back, want none", len(got))
	}
	if got, want := run.stderr["big-output"], "[drover: 1000 more bytes of stdout were not sent back by worker a]\n"; got != want {
		t.Errorf("big-output: stderr %q, want %q", got, want)
	}
}
