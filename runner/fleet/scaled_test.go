package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// runProcessCluster starts n nats-server processes (the host's, Debian's
// package) with JetStream, routed into one cluster on loopback, and kills
// them when the test ends. It skips the test when there is no nats-server.
func runProcessCluster(t *testing.T, n int) string {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		t.Skip("no nats-server on PATH")
	}
	free := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	clients, routes := make([]string, n), make([]string, n)
	cluster := make([]int, n)
	for i := range n {
		clients[i] = fmt.Sprintf("nats://127.0.0.1:%d", free())
		cluster[i] = free()
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", cluster[i])
	}
	dir := t.TempDir()
	for i := range n {
		port := strings.TrimPrefix(clients[i], "nats://127.0.0.1:")
		c := exec.Command(bin, "-js", "-a", "127.0.0.1", "-p", port, "-sd", filepath.Join(dir, fmt.Sprint(i)), "-n", fmt.Sprintf("n%d", i+1),
			"--cluster_name", "drover-test", "--cluster", fmt.Sprintf("nats://127.0.0.1:%d", cluster[i]), "--routes", strings.Join(routes, ","))
		log, err := os.Create(filepath.Join(dir, fmt.Sprintf("n%d.log", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		c.Stdout, c.Stderr = log, log
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			c.Process.Kill()
			c.Wait()
			log.Close()
			if t.Failed() {
				b, _ := os.ReadFile(log.Name())
				t.Logf("%s:\n%s", log.Name(), b)
			}
		})
	}
	url := strings.Join(clients, ",")
	untilReady(t, func() error {
		nc, err := Connect(url, t.Name(), nil)
		if err == nil {
			nc.Close()
		}
		return err
	})
	return url
}

// A job queue whose replicas were raised after drover created it keeps
// the jobs its consumer acknowledged, on nats-server 2.9 (Debian's): a
// worker refuses it, rather than hand a finished run's jobs out again.
func TestWorkerRefusesAQueueThatKeepsFinishedJobs(t *testing.T) {
	url := runProcessCluster(t, 3)
	ctx := context.Background()
	names := mustNames(t, "")
	var js jetstream.JetStream
	untilReady(t, func() error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var err error
		if js, err = streams(ctx, connect(t, url), names, 1); err != nil {
			return err
		}
		_, err = workerConsumer(ctx, js, names, time.Second)
		return err
	})
	// A worker that runs meanwhile watches the queue (here with a short
	// interval).
	srv := openOn(t, connect(t, url), "", 0)
	watched := make(chan error, 1)
	watching, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	go func() {
		cons, err := srv.workersConsumer(watching)
		if err != nil {
			watched <- err
			return
		}
		watched <- srv.watchQueue(watching, cons, 200*time.Millisecond)
	}()
	// What the README once advised: raise the replicas afterwards.
	st, err := js.Stream(ctx, JobsStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.Replicas = 3
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three current copies of the queue", func() bool {
		info, err := st.Info(ctx)
		if err != nil || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
			return false
		}
		for _, r := range info.Cluster.Replicas {
			if !r.Current {
				return false
			}
		}
		return true
	})
	// Twenty jobs are taken and acknowledged, as a worker does. (A Worker
	// in the test process would stop the servers: it stops every child of
	// its process that is not a job of its own when it ends.)
	cons, err := workerConsumer(ctx, js, names, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 20; i++ {
		if _, err := js.Publish(ctx, names.jobs("r1"), []byte(fmt.Sprintf(`{"run":"r1","seq":%d,"id":"j%d","argv":["true"]}`, i, i))); err != nil {
			t.Fatal(err)
		}
	}
	for acked := 0; acked < 20; {
		batch, err := cons.Fetch(20, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for msg := range batch.Messages() {
			if err := msg.DoubleAck(ctx); err != nil {
				t.Fatal(err)
			}
			acked++
		}
	}
	time.Sleep(time.Second) // a second for the copies to drop them
	if n := streamMsgs(t, url, JobsStream); n == 0 {
		t.Skip("this nats-server drops the acknowledged jobs of a work queue whose replicas were raised")
	}
	_, err = NewWorker(ctx, openOn(t, connect(t, url), "", 0), WorkerConfig{Jobs: 1, Prefetch: 1, MaxDeliver: 1})
	const kept = "the stream DROVER_JOBS still holds jobs that its consumer drover-workers acknowledged"
	if err == nil || !strings.Contains(err.Error(), kept) {
		t.Errorf("worker: %v", err)
	}
	// A run refuses it too, and so does a worker that was running.
	if _, err := NewSubmitter(ctx, srv, SubmitConfig{InFlight: 1}); err == nil || !strings.Contains(err.Error(), kept) {
		t.Errorf("run: %v", err)
	}
	select {
	case err := <-watched:
		var keeps *KeptJobsError
		if !errors.As(err, &keeps) {
			t.Errorf("a running worker's watch: %v", err)
		}
	case <-time.After(time.Minute):
		t.Error("a running worker's watch did not see the queue keep its jobs within a minute")
	}
}
