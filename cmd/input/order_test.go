package input

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// openLines writes n shell lines to a file and opens it; the jobs' ids
// are their line numbers.
func openLines(t *testing.T, n int) *Input {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jobs.txt")
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "echo %d\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := Open(nil, path, jobspec.Options{Format: jobspec.FormatLines})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// ordered checks the input through table and returns the ids it starts,
// in order.
func ordered(t *testing.T, in *Input, table *OrderTable) []string {
	t.Helper()
	if _, err := Check(in.Decoder(), table, func(err error) { t.Error(err) }, nil); err != nil {
		t.Fatal(err)
	}
	src := table.Source(in)
	var ids []string
	for {
		job, err := src.Next()
		if err == io.EOF {
			return ids
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
}

func TestOrderTableStartsTheHeaviestFirst(t *testing.T) {
	in := openLines(t, 6)
	weights := map[string]int64{"1": 5, "2": 1, "3": 9, "4": 3, "5": 9, "6": 7}
	table := NewOrderTable(jobspec.Shard{}, func(j *jobspec.Job) int64 { return weights[j.ID] })
	if got, want := ordered(t, in, table), []string{"3", "5", "6", "1", "4", "2"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// A list longer than a batch is read again for each batch, every job
// once, in order; only the shard's jobs are in the table.
func TestOrderTableOverSeveralPasses(t *testing.T) {
	n := 2*orderBatch + 100
	in := openLines(t, n)
	weigh := func(j *jobspec.Job) int64 { i, _ := strconv.Atoi(j.ID); return int64(i % 7) }
	shard := jobspec.Shard{K: 1, N: 2}
	got := ordered(t, in, NewOrderTable(shard, weigh))
	var want []string
	for w := int64(6); w >= 0; w-- {
		for i := 1; i <= n; i++ {
			if id := strconv.Itoa(i); int64(i%7) == w && jobspec.ShardOf(id, 2) == 1 {
				want = append(want, id)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%d jobs in an order unlike the %d wanted", len(got), len(want))
	}
}

func TestOrderedSourceSaysWhenTheInputChanged(t *testing.T) {
	in := openLines(t, 3)
	table := NewOrderTable(jobspec.Shard{}, func(*jobspec.Job) int64 { return 0 })
	if _, err := Check(in.Decoder(), table, func(error) {}, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(in.Name, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := table.Source(in).Next(); err == nil || !strings.Contains(err.Error(), "the input changed while drover read it again: 3 jobs are gone") {
		t.Errorf("error %v", err)
	}
}

func history(t *testing.T, durations map[string]int64) *runner.History {
	t.Helper()
	path := filepath.Join(t.TempDir(), "h.ndjson")
	var b strings.Builder
	for id, d := range durations {
		fmt.Fprintf(&b, `{"id":%q,"record":"j:1","status":"succeeded","exit_code":0,"signal":null,"attempts":1,"started_at":"2026-11-26T10:00:00Z","finished_at":"2026-11-26T10:00:01Z","duration_ms":%d,"error":null}`+"\n", id, d)
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
	h, err := runner.ReadHistory([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Every job is in exactly one of the N shards; the jobs with a history
// are dealt so that the shards' work is even; the others go by hash.
func TestBalancedShardsCoverEveryJobOnce(t *testing.T) {
	const n, shards = 60, 4
	durations := map[string]int64{}
	for i := 1; i <= 50; i++ {
		durations[strconv.Itoa(i)] = int64(i * i) // jobs 51-60 have none
	}
	hist := history(t, durations)
	in := openLines(t, n)
	seen := map[string]int{}
	work := make([]int64, shards)
	for k := 1; k <= shards; k++ {
		b, err := Balance(in, jobspec.Shard{K: k, N: shards}, hist)
		if err != nil {
			t.Fatal(err)
		}
		dec := in.Decoder()
		for job, err := dec.Next(); err == nil; job, err = dec.Next() {
			if !b.Holds(job) {
				continue
			}
			seen[job.ID]++
			work[k-1] += hist.Estimate(job.ID)
			_, known := durations[job.ID]
			if m := b.Method(job.ID); (m == ShardByBalance) != known {
				t.Errorf("job %s: method %s", job.ID, m)
			}
			if !known && jobspec.ShardOf(job.ID, shards) != k {
				t.Errorf("job %s without a history is not in its hash's shard", job.ID)
			}
		}
		dec.Close()
		in.Rewind()
	}
	for i := 1; i <= n; i++ {
		if c := seen[strconv.Itoa(i)]; c != 1 {
			t.Errorf("job %d is in %d shards", i, c)
		}
	}
	lo, hi := slices.Min(work), slices.Max(work)
	if float64(hi) > 1.05*float64(lo) {
		t.Errorf("work per shard %v: uneven", work)
	}
}

// Each pass reads no further than the check did: jobs appended after it
// never start.
func TestOrderedPassesKeepTheCheckedBound(t *testing.T) {
	in := openLines(t, 3)
	table := NewOrderTable(jobspec.Shard{}, func(j *jobspec.Job) int64 { i, _ := strconv.Atoi(j.ID); return int64(i) })
	if _, err := Check(in.Decoder(), table, func(error) {}, nil); err != nil {
		t.Fatal(err)
	}
	if err := in.Rewind(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(in.Name, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("echo appended\n")
	f.Close()
	var ids []string
	src := table.Source(in)
	for job, err := src.Next(); err != io.EOF; job, err = src.Next() {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
	if !slices.Equal(ids, []string{"3", "2", "1"}) {
		t.Errorf("started %v", ids)
	}
}
