package input

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// OrderTable is the start order of the jobs of a regular file (or an
// inline list): heaviest first, of equal weights the earlier in the
// input. It holds each job's position and weight, and the positions of
// the jobs it needs, never the jobs: the file is read again to start
// them, a batch at a time.
//
// A job's weight is its longest remaining path: what weigh says of it,
// plus the heaviest path among the jobs that need it (Sort works it out
// once the table is whole). A job's weight is then never below that of a
// job that needs it, and of equal weights the earlier starts first, so a
// job never comes before one it needs.
//
// The check's pass fills the table through Add; Sort and Source follow,
// on the same goroutine.
type OrderTable struct {
	weigh   func(*jobspec.Job) int64
	entries []orderEntry  // in input order until Sort
	needs   map[int][]int // by Seq, for the jobs with needs: the Seqs of their needs
	sorted  bool
}

type orderEntry struct {
	seq    int // the job's jobspec.Job.Seq
	weight int64
}

// NewOrderTable makes a table of jobs weighed by weigh.
func NewOrderTable(weigh func(*jobspec.Job) int64) *OrderTable {
	return &OrderTable{weigh: weigh, needs: map[int][]int{}}
}

// Add enters a job the run holds; the pass that checks the file calls it
// for each, in input order.
func (t *OrderTable) Add(job *jobspec.Job) {
	t.entries = append(t.entries, orderEntry{seq: job.Seq, weight: max(t.weigh(job), 0)})
	if len(job.Needs) > 0 {
		seqs := make([]int, len(job.Needs))
		for i, n := range job.Needs {
			seqs[i] = n.Seq
		}
		t.needs[job.Seq] = seqs
	}
}

// Sort puts the table in start order; Source does it when it was not.
func (t *OrderTable) Sort() {
	if t.sorted {
		return
	}
	t.addPaths()
	slices.SortStableFunc(t.entries, func(a, b orderEntry) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.seq, b.seq))
	})
	t.needs = nil
	t.sorted = true
}

// addPaths turns each job's weight into its longest remaining path. The
// entries are in input order, and a job needs only earlier ones: going
// from the last, every job that needs a job is done before it.
func (t *OrderTable) addPaths() {
	if len(t.needs) == 0 {
		return
	}
	below := make([]int64, len(t.entries)) // the heaviest path among the jobs that need each
	for i := len(t.entries) - 1; i >= 0; i-- {
		e := &t.entries[i]
		e.weight = saturatedAdd(e.weight, below[i])
		for _, seq := range t.needs[e.seq] {
			j, found := slices.BinarySearchFunc(t.entries[:i], seq, func(e orderEntry, seq int) int { return cmp.Compare(e.seq, seq) })
			if found {
				below[j] = max(below[j], e.weight)
			}
		}
	}
}

// saturatedAdd adds two weights, stopping at the largest rather than
// overflowing (a history file may say anything).
func saturatedAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
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
