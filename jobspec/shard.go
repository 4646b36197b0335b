package jobspec

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one of N parts of a job list: the jobs whose id hashes to K.
// The hash is FNV-1a (64 bits) of the id's bytes, modulo N, plus one; it
// depends on the id alone, so the same job lands in the same shard on
// every machine and in every release of drover. The zero Shard holds
// every job.
type Shard struct {
	K, N int
}

// ParseShard reads "K/N", with 1 <= K <= N.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, kerr := strconv.Atoi(ks)
	n, nerr := strconv.Atoi(ns)
	if !ok || kerr != nil || nerr != nil || n < 1 || k < 1 || k > n {
		return Shard{}, fmt.Errorf("%q is not K/N with 1 <= K <= N (for example 2/4)", s)
	}
	return Shard{K: k, N: n}, nil
}

// String is "K/N", or "" for the zero Shard.
func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N)
}

// ShardOf returns the shard, from 1 to n, that the job with this id
// belongs to.
func ShardOf(id string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int(h.Sum64()%uint64(n)) + 1
}

// Holds reports whether job belongs to the shard.
func (s Shard) Holds(job *Job) bool {
	return s.N == 0 || ShardOf(job.ID, s.N) == s.K
}
