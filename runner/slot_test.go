package runner

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/drover/drover/jobspec"
)

// TestSlots checks that every job reports the slot that ran it: slots are
// numbered 1 to Jobs, and two jobs on one slot never overlap in time. The
// first three attempts wait for each other, so that they overlap and must
// be on three different slots.
func TestSlots(t *testing.T) {
	cfg := baseConfig()
	cfg.Jobs = 3
	var barrier sync.WaitGroup
	barrier.Add(cfg.Jobs)
	var mu sync.Mutex
	seen := 0
	cfg.Executor = fakeExecutor(func(ctx context.Context, a Attempt) Outcome {
		mu.Lock()
		seen++
		first := seen <= cfg.Jobs
		mu.Unlock()
		if first {
			barrier.Done()
			barrier.Wait()
		}
		return Outcome{ExitCode: code(0)}
	})
	var list []*jobspec.Job
	for i := range 12 {
		list = append(list, shellJob(strconv.Itoa(i), "true"))
	}
	results, _, err := run(t, cfg, list...)
	if err != nil {
		t.Fatal(err)
	}
	bySlot := map[int][]*Result{}
	for _, res := range results {
		if res.Slot < 1 || res.Slot > cfg.Jobs {
			t.Fatalf("job %s: slot %d, want 1 to %d", res.Job.ID, res.Slot, cfg.Jobs)
		}
		for _, other := range bySlot[res.Slot] {
			if res.StartedAt.Before(other.FinishedAt) && other.StartedAt.Before(res.FinishedAt) {
				t.Errorf("jobs %s and %s overlap on slot %d", res.Job.ID, other.Job.ID, res.Slot)
			}
		}
		bySlot[res.Slot] = append(bySlot[res.Slot], res)
	}
	if len(bySlot) != cfg.Jobs {
		t.Errorf("%d slots used, want %d", len(bySlot), cfg.Jobs)
	}
}
