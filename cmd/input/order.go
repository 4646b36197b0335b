package input

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// OrderTable is the start order of the jobs of a regular file (or an
// inline list): heaviest first, of equal weights the earlier in the
// input. It holds each job's position and weight, never the jobs: the
// file is read again to start them, a batch at a time.
//
// The weight is what weigh says of the job alone: jobs here do not
// depend on one another. (Were they to, the weight that orders them would
// have to be the longest remaining path, a job's own weight plus the
// heaviest path among the jobs that need it; Sort, which sees the whole
// table, is where that would be worked out.)
//
// The check's pass fills the table through Holds; Sort and Source follow,
// on the same goroutine.
type OrderTable struct {
	held    Filter
	weigh   func(*jobspec.Job) int64
	entries []orderEntry
	sorted  bool
}

type orderEntry struct {
	seq    int // the job's jobspec.Job.Seq
	weight int64
}

// NewOrderTable makes a table of the jobs that held holds, weighed by
// weigh.
func NewOrderTable(held Filter, weigh func(*jobspec.Job) int64) *OrderTable {
	return &OrderTable{held: held, weigh: weigh}
}

// Holds reports whether the run holds job, and enters it in the table
// when it does. The pass that checks the file calls it once for each job.
func (t *OrderTable) Holds(job *jobspec.Job) bool {
	if !t.held.Holds(job) {
		return false
	}
	t.entries = append(t.entries, orderEntry{seq: job.Seq, weight: t.weigh(job)})
	return true
}

// Sort puts the table in start order; Source does it when it was not.
func (t *OrderTable) Sort() {
	if t.sorted {
		return
	}
	slices.SortStableFunc(t.entries, func(a, b orderEntry) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.seq, b.seq))
	})
	t.sorted = true
}

// orderBatch is how many jobs are read in one pass over the input and
// held until they start: a list of up to orderBatch jobs is read twice in
// all (the check, then one pass), a longer one once more for each further
// orderBatch jobs, each pass stopping at the last job it needs.
const orderBatch = 4096

// Source returns the table's jobs, read again from in, in start order.
func (t *OrderTable) Source(in *Input) runner.Source {
	t.Sort()
	return &orderedSource{table: t, in: in}
}

// orderedSource reads the jobs of an OrderTable back from the input.
type orderedSource struct {
	table *OrderTable
	in    *Input
	batch []*jobspec.Job // the jobs of the current pass, in start order
	pos   int            // in batch
	next  int            // the first entry of the next pass
}

func (s *orderedSource) Next() (*jobspec.Job, error) {
	if s.pos == len(s.batch) {
		if s.next == len(s.table.entries) {
			return nil, io.EOF
		}
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	job := s.batch[s.pos]
	s.batch[s.pos] = nil // the runner owns it now
	s.pos++
	return job, nil
}

// load reads the next batch of entries from the start of the input.
func (s *orderedSource) load() error {
	entries := s.table.entries[s.next:min(s.next+orderBatch, len(s.table.entries))]
	at := make(map[int]int, len(entries)) // seq -> place in the batch
	for i, e := range entries {
		at[e.seq] = i
	}
	if err := s.in.reread(); err != nil {
		return err
	}
	dec := s.in.Decoder()
	defer dec.Close()
	batch := make([]*jobspec.Job, len(entries))
	for found := 0; found < len(batch); {
		job, err := dec.Next()
		if err == io.EOF {
			return fmt.Errorf("%s: the input changed while drover read it again: %d jobs are gone", s.in.Name, len(batch)-found)
		}
		if err != nil {
			return err
		}
		if i, ok := at[job.Seq]; ok && batch[i] == nil {
			batch[i] = job
			found++
		}
	}
	s.batch, s.pos, s.next = batch, 0, s.next+len(entries)
	return nil
}
