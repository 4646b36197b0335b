package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
)

// drover runs drover's command tree in this process and returns the exit
// code, stdout and stderr.
func drover(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, out, errOut := iostreams.Test("")
	root := NewRootCmd(ios)
	root.SetArgs(args)
	return Execute(root, ios), out.String(), errOut.String()
}

// The shards 1..N of one job file, run apart as a CI matrix runs them, run
// every job exactly once; report over their results files gives the counts
// and the exit code of a single run of them all.
func TestShardsRunEveryJobOnceAndReportMergesThem(t *testing.T) {
	dir := t.TempDir()
	ran := filepath.Join(dir, "ran")
	var jobs strings.Builder
	const total, failing = 40, 3
	for i := 1; i <= total; i++ {
		code := 0
		if i%13 == 0 { // 13, 26, 39
			code = 4
		}
		fmt.Fprintf(&jobs, `{"id":"job-%d","cmd":"echo %d >> %s; exit %d"}`+"\n", i, i, ran, code)
	}
	file := filepath.Join(dir, "jobs.ndjson")
	os.WriteFile(file, []byte(jobs.String()), 0o644)

	const n = 4
	var results []string
	failedShards := 0
	for k := 1; k <= n; k++ {
		res := filepath.Join(dir, fmt.Sprintf("shard-%d.ndjson", k))
		results = append(results, res)
		code, _, errOut := drover(t, "run", "-q", "--output", "none", "--shard", fmt.Sprintf("%d/%d", k, n), "--results", res, file)
		if code == exitFailures {
			failedShards++
		} else if code != exitOK {
			t.Fatalf("shard %d/%d: exit %d: %s", k, n, code, errOut)
		}
	}
	if failedShards == 0 {
		t.Error("no shard reported a failure")
	}
	b, _ := os.ReadFile(ran)
	got := strings.Fields(string(b))
	slices.Sort(got)
	var want []string
	for i := 1; i <= total; i++ {
		want = append(want, fmt.Sprint(i))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("the shards ran %v, want each of 1..%d once", got, total)
	}

	summary := filepath.Join(dir, "summary.json")
	code, _, errOut := drover(t, append([]string{"report", "--summary-json", summary}, results...)...)
	if code != exitFailures {
		t.Errorf("report exit %d, want 1: %s", code, errOut)
	}
	var sum records.SummaryJSON
	sb, _ := os.ReadFile(summary)
	if err := json.Unmarshal(sb, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Jobs != total || sum.Succeeded != total-failing || sum.Failed != failing || sum.ExitCode != exitFailures {
		t.Errorf("report summary %+v, want %d jobs, %d failed", sum, total, failing)
	}
	for _, id := range []string{"job-13", "job-26", "job-39"} {
		if !strings.Contains(errOut, "failed: "+id+" (exit code 4") {
			t.Errorf("report does not list %s:\n%s", id, errOut)
		}
	}

	// Resumed, the failed jobs succeed this time: the report then says 0.
	os.WriteFile(file, []byte(strings.ReplaceAll(jobs.String(), "exit 4", "exit 0")), 0o644)
	for k := 1; k <= n; k++ {
		if code, _, errOut := drover(t, "run", "-q", "--output", "none", "--shard", fmt.Sprintf("%d/%d", k, n), "--results", results[k-1], "--resume", file); code != exitOK {
			t.Fatalf("resumed shard %d: exit %d: %s", k, code, errOut)
		}
	}
	code, _, errOut = drover(t, append([]string{"report"}, results...)...)
	if code != exitOK || !strings.Contains(errOut, fmt.Sprintf("%d jobs in", total)) || !strings.Contains(errOut, fmt.Sprintf("%d succeeded", total)) {
		t.Errorf("report after resume: exit %d:\n%s", code, errOut)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ndjson")
	os.WriteFile(good, []byte(`{"id":"a","record":"j:1","status":"succeeded","exit_code":0,"signal":null,"attempts":1,"started_at":"2026-11-26T10:00:00Z","finished_at":"2026-11-26T10:00:01Z","duration_ms":1000,"error":null}`+"\n"), 0o644)
	bad := filepath.Join(dir, "bad.ndjson")
	os.WriteFile(bad, []byte("{\"id\":\"b\",\"status\":\"succeeded\",\"started_at\":\"2026-11-26T10:00:00Z\",\"finished_at\":\"2026-11-26T10:00:00Z\"}\nhello\n"), 0o644)
	cut := filepath.Join(dir, "cut.ndjson")
	os.WriteFile(cut, []byte(`{"id":"c","rec`), 0o644)

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"report", good, bad}, exitUsage, bad + ":2: not a results record"},
		{[]string{"report", filepath.Join(dir, "missing")}, exitUsage, "no such file"},
		{[]string{"report"}, exitUsage, "requires at least 1 arg"},
		{[]string{"report", good, cut}, exitOK, cut + ":1: ignored a record cut short"},
	} {
		code, _, errOut := drover(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
}

func TestWorkerAndNATSFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"worker"}, "worker needs --nats URL"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "-j", "99999999"}, "--jobs must be at most 65536"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--max-deliver", "0"}, "--max-deliver must be at least 1"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--ack-wait", "500ms"}, "--ack-wait must be at least 1s"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--output-limit", "1MiB"}, "--output-limit: \"1MiB\" is not a size from 1 B to 512 KiB"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1"}, "cannot reach the NATS server at nats://127.0.0.1:1"},
		{[]string{"run", "--nats", "nats://127.0.0.1:1", "--cancel-wait", "0s", "x"}, "--cancel-wait must be positive"},
		{[]string{"run", "--nats", "nats://127.0.0.1:1", "--kill-grace", "1s", "x"}, "--kill-grace cannot be used with --nats: give --kill-grace to drover worker"},
		{[]string{"run", "--nats", "nats://127.0.0.1:1", "--retry-budget", "3", "x"}, "--retry-budget cannot be used with --nats"},
		{[]string{"run", "--shard", "5/4", "x"}, `--shard: "5/4" is not K/N`},
	} {
		code, _, errOut := drover(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.msg)
		}
	}
}

func TestReportQuietAndColour(t *testing.T) {
	res := filepath.Join(t.TempDir(), "res.ndjson")
	os.WriteFile(res, []byte(`{"id":"a","record":"j:1","status":"failed","exit_code":1,"signal":null,"attempts":1,"started_at":"2026-11-26T10:00:00Z","finished_at":"2026-11-26T10:00:01Z","duration_ms":1000,"error":null}`+"\n"), 0o644)
	if code, out, errOut := drover(t, "report", "-q", res); code != exitFailures || out != "" || errOut != "" {
		t.Errorf("report -q: exit %d, stdout %q, stderr %q; want 1 and nothing printed", code, out, errOut)
	}
	if _, _, errOut := drover(t, "report", "--color", "always", res); !strings.Contains(errOut, "\x1b[") {
		t.Errorf("report --color always printed no colour: %q", errOut)
	}
	if code, _, errOut := drover(t, "report", "--color", "sometimes", res); code != exitUsage || !strings.Contains(errOut, "--color: unknown mode") {
		t.Errorf("report --color sometimes: exit %d, %q", code, errOut)
	}
}
