package fleet

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

// runCluster starts n embedded servers with JetStream on loopback, routed
// into one cluster, and stops them when the test ends.
func runCluster(t *testing.T, n int) []*server.Server {
	t.Helper()
	ports := make([]int, n)
	routes := make([]string, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", ports[i])
	}
	servers := make([]*server.Server, n)
	for i := range servers {
		servers[i] = runServer(t, func(o *server.Options) {
			o.ServerName = fmt.Sprintf("n%d", i+1)
			o.Cluster = server.ClusterOpts{Name: "drover-test", Host: "127.0.0.1", Port: ports[i]}
			o.Routes = server.RoutesFromStr(strings.Join(routes, ","))
		})
	}
	return servers
}

func clusterURL(servers []*server.Server) string {
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.ClientURL()
	}
	return strings.Join(urls, ",")
}

// untilReady retries f while a new cluster has no JetStream leader yet.
func untilReady(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// On a three-node cluster with --replicas 3, the node that leads the job
// queue is killed in the middle of a run: the run ends with every job
// recorded once, and no job of the run before it runs again.
func TestClusterNodeKilledMidRun(t *testing.T) {
	servers := runCluster(t, 3)
	url := clusterURL(servers)
	untilReady(t, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := streams(ctx, connect(t, url), mustNames(t, ""), 3)
		return err
	})
	dir := t.TempDir()
	log1, log2 := filepath.Join(dir, "log1"), filepath.Join(dir, "log2")
	// One worker: two in one process would reap each other's jobs (a
	// worker reaps the children of the process that are not its own).
	startWorkerAt(t, at{url: url, replicas: 3}, "a", WorkerConfig{Jobs: 8, AckWait: 2 * time.Second})

	first := submitAt(t, at{url: url, replicas: 3}, SubmitConfig{}, shJobs(40, fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s`, log1)))
	if sum := first.finish(t); sum.Succeeded != 40 {
		t.Fatalf("first run: summary %+v", sum.Counts)
	}
	second := submitAt(t, at{url: url, replicas: 3}, SubmitConfig{}, shJobs(80, fmt.Sprintf(`echo "$DROVER_JOB_ID" >> %s; sleep 0.05`, log2)))
	waitFor(t, "ten jobs of the second run done", func() bool { return len(lines(log2)) >= 10 })
	leader := streamLeader(t, url, JobsStream)
	for _, s := range servers {
		if s.Name() == leader {
			s.Shutdown()
			s.WaitForShutdown()
		}
	}
	sum := second.finish(t)

	if sum.Succeeded != 80 || len(second.records) != 80 {
		t.Errorf("second run: summary %+v, %d records; want 80 succeeded", sum.Counts, len(second.records))
	}
	for _, r := range second.records {
		if r.Status != "succeeded" {
			t.Errorf("%s: %+v; stderr %q", r.ID, r, second.stderr[r.ID])
		}
	}
	for id, n := range countRecords(second.records) {
		if n != 1 {
			t.Errorf("%s recorded %d times", id, n)
		}
	}
	// The queue empties: no finished job is left on any copy of it.
	waitFor(t, "an empty queue", func() bool { return streamMsgs(t, url, JobsStream) == 0 })
	ran := map[string]int{}
	for _, id := range lines(log1) {
		ran[id]++
	}
	for id, n := range ran {
		if n != 1 {
			t.Errorf("%s of the first run ran %d times", id, n)
		}
	}
	if len(ran) != 40 {
		t.Errorf("%d jobs of the first run ran, want 40", len(ran))
	}
	t.Logf("killed %s, the leader of %s; the second run's 80 jobs ran %d times", leader, JobsStream, len(lines(log2)))
}

func mustNames(t *testing.T, prefix string) Names {
	t.Helper()
	n, err := NewNames(prefix)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// streamLeader is the name of the server that leads a stream.
func streamLeader(t *testing.T, url, stream string) string {
	t.Helper()
	js, _ := jetstream.New(connect(t, url))
	st, err := js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info := st.CachedInfo()
	if info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != 2 {
		t.Fatalf("stream %s: cluster %+v, want a leader and two replicas", stream, info.Cluster)
	}
	return info.Cluster.Leader
}
