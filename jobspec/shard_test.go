package jobspec

import (
	"fmt"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"1/1", Shard{1, 1}, true},
		{"2/4", Shard{2, 4}, true},
		{"4/4", Shard{4, 4}, true},
		{"0/4", Shard{}, false},
		{"5/4", Shard{}, false},
		{"1/0", Shard{}, false},
		{"-1/2", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
		{"1/2/3", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// The hash is part of drover's interface: a CI matrix split with one
// release must split the same way with the next. These values are FNV-1a
// 64 of the ids, as computed by hand from the published algorithm.
func TestShardOfIsStable(t *testing.T) {
	for _, tc := range []struct {
		id   string
		n    int
		want int
	}{
		{"", 7, int(14695981039346656037%7) + 1}, // the FNV-1a 64 offset basis
		{"a", 1000, int(0xaf63dc4c8601ec8c%1000) + 1},
		{"foobar", 97, int(0x85944171f73967e8%97) + 1},
	} {
		if got := ShardOf(tc.id, tc.n); got != tc.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.id, tc.n, got, tc.want)
		}
	}
}

func TestShardsPartitionJobs(t *testing.T) {
	const n = 5
	seen := map[int]int{}
	for i := 1; i <= 10000; i++ {
		job := &Job{ID: fmt.Sprint(i)}
		holders := 0
		for k := 1; k <= n; k++ {
			if (Shard{K: k, N: n}).Holds(job) {
				holders++
				seen[k]++
			}
		}
		if holders != 1 {
			t.Fatalf("job %s is held by %d shards, want 1", job.ID, holders)
		}
	}
	for k := 1; k <= n; k++ { // an even spread: each about 2000
		if seen[k] < 1700 || seen[k] > 2300 {
			t.Errorf("shard %d/%d holds %d of 10000 jobs", k, n, seen[k])
		}
	}
	if !(Shard{}).Holds(&Job{ID: "x"}) {
		t.Error("the zero Shard must hold every job")
	}
}
