package runner

import (
	"context"
	"testing"
)

// BenchmarkDispatch measures drover's own cost per job: intake, queue,
// workers, results and events, with an executor that does nothing.
func BenchmarkDispatch(b *testing.B) {
	list := manyJobs(10000)
	ok := fakeExecutor(func(ctx context.Context, a Attempt) Outcome { return Outcome{ExitCode: code(0)} })
	b.ReportAllocs()
	for b.Loop() {
		events := make(chan Event, 64)
		cfg := Config{Jobs: 4, Queue: 8, RetryBudget: -1, Executor: ok, Events: events,
			Record: func(*Result) error { return nil }}
		r, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			for ev := range events {
				if ev.Kind == JobFinished {
					ev.Result.Output.Close()
				}
			}
			close(done)
		}()
		sum, _ := r.Run(context.Background(), &jobs{list: list})
		<-done
		if sum.Succeeded != len(list) {
			b.Fatal(sum.Counts)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(list)), "ns/job")
}
