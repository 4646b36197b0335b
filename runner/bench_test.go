package runner

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
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

// BenchmarkExecute runs `true` through the ProcessExecutor, one job at a
// time: the cost of starting, waiting for and cleaning up after a process,
// drover's share of it included.
func BenchmarkExecute(b *testing.B) {
	e := &ProcessExecutor{KillGrace: time.Second, Environ: os.Environ()}
	job := &jobspec.Job{ID: "b", Argv: []string{"true"}}
	var out, errs tail
	out.size, errs.size = 1, 1
	b.ReportAllocs()
	for b.Loop() {
		o := e.Execute(context.Background(), Attempt{Job: job, Number: 1, Stdout: &out, Stderr: &errs})
		if o.ExitCode == nil || *o.ExitCode != 0 {
			b.Fatalf("%+v", o)
		}
	}
}
