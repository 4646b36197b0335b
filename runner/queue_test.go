package runner

import (
	"context"
	"io"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/drover/drover/jobspec"
)

// endSignal is a Source that gives its second job only once started
// closes, and closes ended when asked for a job after its last: by then
// the runner has queued every job it gave.
type endSignal struct {
	jobs
	started, ended chan struct{}
	once           sync.Once
}

func (s *endSignal) Next() (*jobspec.Job, error) {
	if s.jobs.next.Load() == 1 {
		<-s.started
	}
	job, err := s.jobs.Next()
	if err == io.EOF {
		s.once.Do(func() { close(s.ended) })
	}
	return job, err
}

// With a Priority, the queued jobs start highest first, equals in input
// order; the first job started before the others were queued, so that
// the order applies among the waiting jobs only.
func TestPriorityOrdersTheQueue(t *testing.T) {
	weights := []int64{5, 1, 9, 3, 9, 7}
	src := &endSignal{jobs: jobs{list: manyJobs(len(weights))}, started: make(chan struct{}), ended: make(chan struct{})}
	var mu sync.Mutex
	var order []string
	cfg := baseConfig()
	cfg.Jobs, cfg.Queue = 1, 10
	cfg.Priority = func(j *jobspec.Job) int64 {
		i, _ := strconv.Atoi(j.ID)
		return weights[i-1]
	}
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		mu.Lock()
		order = append(order, a.Job.ID)
		first := len(order) == 1
		mu.Unlock()
		if first {
			close(src.started)
			<-src.ended
		}
		return Outcome{ExitCode: code(0)}
	})
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if want := []string{"1", "3", "5", "6", "4", "2"}; !slices.Equal(order, want) {
		t.Errorf("started %v, want %v", order, want)
	}
}

// Without a Priority the queue keeps the input's order.
func TestQueueWithoutPriorityKeepsTheOrder(t *testing.T) {
	q := newJobQueue(3, nil)
	done := make(chan struct{})
	for _, j := range manyJobs(3) {
		if !q.put(j, done) {
			t.Fatal("put refused")
		}
	}
	close(done)
	if q.put(manyJobs(1)[0], done) {
		t.Error("put into a full queue after done")
	}
	q.close()
	var got []string
	for j := q.take(nil); j != nil; j = q.take(nil) {
		got = append(got, j.ID)
	}
	if !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("took %v", got)
	}
}

// The heap gives jobs out highest priority first, equals in arrival
// order, however they were put in.
func TestQueuedJobsHeapOrder(t *testing.T) {
	var h queuedJobs
	var want []queuedJob
	for i := range 200 {
		x := queuedJob{job: &jobspec.Job{ID: strconv.Itoa(i)}, priority: int64((i * 7919) % 13), arrival: i}
		h.push(x)
		want = append(want, x)
	}
	slices.SortStableFunc(want, func(a, b queuedJob) int { return int(b.priority - a.priority) })
	for i, w := range want {
		if got := h.pop(); got != w.job {
			t.Fatalf("pop %d: job %s, want %s", i, got.ID, w.job.ID)
		}
	}
	if len(h) != 0 {
		t.Errorf("%d left", len(h))
	}
}
