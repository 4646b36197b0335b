package runner

import "time"

// Heavy is one job among the heaviest of a run, with what it used.
type Heavy struct {
	ID    string
	Usage Usage
}

// Heaviest keeps the few jobs of a run that used the most memory (peak
// RSS) and the most CPU (user and system time together), heaviest first.
// A job that used none of either is in neither list; of two jobs that
// used the same, the one added first stays ahead. It is used by one
// goroutine at a time.
type Heaviest struct {
	n           int
	Memory, CPU []Heavy
}

// HeaviestListed is how many jobs each list of a run's summary names.
const HeaviestListed = 5

// NewHeaviest keeps the n heaviest jobs of each kind.
func NewHeaviest(n int) *Heaviest { return &Heaviest{n: n} }

// Add weighs one job.
func (h *Heaviest) Add(id string, u Usage) {
	job := Heavy{ID: id, Usage: u}
	h.Memory = keepHeaviest(h.Memory, job, h.n, func(j Heavy) int64 { return j.Usage.MaxRSS })
	h.CPU = keepHeaviest(h.CPU, job, h.n, func(j Heavy) int64 { return int64(j.Usage.CPU() / time.Microsecond) })
}

// Empty reports whether no job used anything.
func (h *Heaviest) Empty() bool { return len(h.Memory) == 0 && len(h.CPU) == 0 }

// keepHeaviest puts job into list, kept in decreasing weight and at most
// n long, when it weighs anything and more than the lightest kept.
func keepHeaviest(list []Heavy, job Heavy, n int, weight func(Heavy) int64) []Heavy {
	w := weight(job)
	if w <= 0 {
		return list
	}
	i := len(list)
	for i > 0 && weight(list[i-1]) < w {
		i--
	}
	if i >= n {
		return list
	}
	if len(list) < n {
		list = append(list, Heavy{})
	}
	copy(list[i+1:], list[i:])
	list[i] = job
	return list
}
