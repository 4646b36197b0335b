package runner

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

func TestRetries(t *testing.T) {
	dir := t.TempDir()
	// Fails until it has run n times, counting runs in a file.
	flaky := func(id string, n int) *jobspec.Job {
		f := filepath.Join(dir, id)
		return shellJob(id, fmt.Sprintf(`echo x >>%s; test $(wc -l <%s) -ge %d || exit 7`, f, f, n))
	}
	three, two := 3, 2
	tests := []struct {
		name     string
		job      *jobspec.Job
		retries  int
		budget   int
		status   Status
		attempts int
	}{
		{"succeeds on third", flaky("a", 3), 2, -1, Succeeded, 3},
		{"runs out", flaky("b", 5), 2, -1, Failed, 3},
		{"job overrides", func() *jobspec.Job { j := flaky("c", 3); j.Retries = &three; return j }(), 0, -1, Succeeded, 3},
		{"retry_on other code", func() *jobspec.Job { j := flaky("d", 3); j.RetryOn = &jobspec.RetryOn{ExitCodes: []int{1}}; return j }(), 5, -1, Failed, 1},
		{"retry_on matching code", func() *jobspec.Job { j := flaky("e", 2); j.RetryOn = &jobspec.RetryOn{ExitCodes: []int{7}}; return j }(), 5, -1, Succeeded, 2},
		{"budget", func() *jobspec.Job { j := flaky("f", 4); j.Retries = &two; return j }(), 0, 1, Failed, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Retries, cfg.RetryBudget = tt.retries, tt.budget
			results, sum, _ := run(t, cfg, tt.job)
			res := results[tt.job.ID]
			if res.Status != tt.status || res.Attempts != tt.attempts {
				t.Fatalf("status %s after %d attempts, want %s after %d", res.Status, res.Attempts, tt.status, tt.attempts)
			}
			if sum.Retries != tt.attempts-1 {
				t.Errorf("retries spent %d, want %d", sum.Retries, tt.attempts-1)
			}
			if tt.budget >= 0 && sum.RetriesDenied != 1 {
				t.Errorf("denied %d, want 1", sum.RetriesDenied)
			}
		})
	}
}

func TestRetryOnTimeout(t *testing.T) {
	job := shellJob("a", `test "$DROVER_ATTEMPT" -ge 2 || sleep 30`)
	job.RetryOn = &jobspec.RetryOn{Timeout: true}
	cfg := baseConfig()
	cfg.Timeout, cfg.Retries = 100*time.Millisecond, 1
	results, _, _ := run(t, cfg, job)
	if res := results["a"]; res.Status != Succeeded || res.Attempts != 2 {
		t.Fatalf("%+v", res)
	}
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	r := &Runner{cfg: Config{RetryDelay: 100 * time.Millisecond, RetryMaxDelay: time.Second}}
	for attempt := 1; attempt <= 10; attempt++ {
		ceiling := min(100*time.Millisecond<<(attempt-1), time.Second)
		for range 50 {
			if d := r.backoff(attempt); d < 0 || d > ceiling {
				t.Fatalf("attempt %d: delay %s outside [0, %s]", attempt, d, ceiling)
			}
		}
	}
}
