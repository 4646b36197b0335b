package runner

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/drover/drover/jobspec"
)

// TestNeedsRandomGraphs runs random graphs of jobs, some of which fail,
// with random slots, queue sizes and waiting limits, and holds every run
// to the rules: a job starts only once each of its needs has finished,
// and each job ends with the status that its needs' outcomes decide,
// however the run's timing falls. A waiting limit of 1 or 2 makes intake
// pause often; it must never deadlock.
func TestNeedsRandomGraphs(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 7))
	for round := range 60 {
		n := 1 + rng.IntN(40)
		list, fails := randomGraph(rng, n)
		var mu sync.Mutex
		done := map[string]bool{}
		cfg := baseConfig()
		cfg.Jobs, cfg.Queue = 1+rng.IntN(4), 1+rng.IntN(3)
		cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
			mu.Lock()
			for _, need := range a.Job.Needs {
				if !done[need.ID] {
					t.Errorf("round %d: %s started before its need %s finished", round, a.Job.ID, need.ID)
				}
			}
			mu.Unlock()
			if fails[a.Job.ID] {
				return Outcome{ExitCode: code(1)}
			}
			return Outcome{ExitCode: code(0)}
		})
		cfg.Record = func(res *Result) error {
			mu.Lock()
			done[res.Job.ID] = true
			mu.Unlock()
			return nil
		}
		events := make(chan Event, 16)
		cfg.Events = events
		r, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r.deps.max = 1 + rng.IntN(3)
		results := map[string]Status{}
		heard := make(chan struct{})
		go func() {
			defer close(heard)
			for ev := range events {
				if ev.Kind == JobFinished {
					results[ev.Job.ID] = ev.Result.Status
				}
			}
		}()
		sum, err := r.Run(context.Background(), &jobs{list: list})
		<-heard
		if err != nil {
			t.Fatal(err)
		}
		want := expectedStatuses(list, fails)
		for _, job := range list {
			if results[job.ID] != want[job.ID] {
				t.Errorf("round %d: %s (needs %v, when %q): %s, want %s", round, job.ID, job.Needs, job.When, results[job.ID], want[job.ID])
			}
		}
		if sum.NotStarted != 0 || sum.Finished() != n {
			t.Errorf("round %d: %+v", round, sum.Counts)
		}
	}
}

// randomGraph makes n jobs, each needing up to three earlier ones, with
// a random when; about one job in five fails.
func randomGraph(rng *rand.Rand, n int) ([]*jobspec.Job, map[string]bool) {
	whens := []jobspec.When{"", jobspec.WhenSuccess, jobspec.WhenAlways, jobspec.WhenFailure}
	fails := map[string]bool{}
	var list []*jobspec.Job
	for i := 1; i <= n; i++ {
		job := &jobspec.Job{ID: "j" + strconv.Itoa(i), Seq: i, Argv: []string{"x"}}
		seen := map[int]bool{}
		for range rng.IntN(min(i, 4)) {
			if s := 1 + rng.IntN(i-1); !seen[s] { // i > 1 here: an earlier job
				seen[s] = true
				job.Needs = append(job.Needs, jobspec.Need{ID: "j" + strconv.Itoa(s), Seq: s})
			}
		}
		if len(job.Needs) > 0 {
			job.When = whens[rng.IntN(len(whens))]
		}
		fails[job.ID] = rng.IntN(5) == 0
		list = append(list, job)
	}
	return list, fails
}

// expectedStatuses decides every job's status in input order, as the
// rules say, from which jobs fail when they run.
func expectedStatuses(list []*jobspec.Job, fails map[string]bool) map[string]Status {
	st := map[string]Status{}
	for _, job := range list {
		anyFailed, anyIdle := false, false
		for _, n := range job.Needs {
			switch st[n.ID] {
			case Failed, DepFailed:
				anyFailed = true
			case NotNeeded:
				anyIdle = true
			}
		}
		runs := true
		switch job.When {
		case jobspec.WhenAlways:
		case jobspec.WhenFailure:
			if !anyFailed {
				runs, st[job.ID] = false, NotNeeded
			}
		default:
			if anyFailed {
				runs, st[job.ID] = false, DepFailed
			} else if anyIdle {
				runs, st[job.ID] = false, NotNeeded
			}
		}
		if runs {
			st[job.ID] = Succeeded
			if fails[job.ID] {
				st[job.ID] = Failed
			}
		}
	}
	return st
}
