package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/drover/drover/runner"
)

//go:embed report.html
var pageSource string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"sub":   func(a, b int) int { return a - b },
	"tail":  func(s string) string { return LastLines(s, tailLines) },
	"bytes": humanBytes,
	"ms":    func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(pageSource))

// pageJob is what the page's script knows of a job, for its details.
type pageJob struct {
	ID         string  `json:"id"`
	Label      string  `json:"label"`
	Record     string  `json:"record"`
	Status     string  `json:"status"`
	Command    string  `json:"command"`
	Attempts   int     `json:"attempts"`
	ExitCode   *int    `json:"exit_code"`
	Signal     *string `json:"signal"`
	Error      *string `json:"error"`
	BlockedBy  string  `json:"blocked_by,omitempty"`
	DurationMS int64   `json:"duration_ms"`
	StartedAt  string  `json:"started_at"`
	Lane       string  `json:"lane"`
	StderrTail string  `json:"stderr_tail"`
	MaxRSS     int64   `json:"max_rss_bytes"`
	UserMS     int64   `json:"user_ms"`
	SysMS      int64   `json:"sys_ms"`
}

// pageData is what the template fills the page with.
type pageData struct {
	Run      *Run
	Timeline *timeline
	Jobs     []pageJob
	Failed   []Job
	Blocked  []Job
	Slowest  []Job
	Heaviest *runner.Heaviest // nil when no job used anything
	Duration string
	Retries  string // "1 retry", "3 retries"
	Started  string
	Statuses []statusCount
}

type statusCount struct {
	Status string
	Label  string
	Count  int
}

// WriteHTML writes the run as one self-contained HTML page: totals, a
// timeline of every job on the slot or worker that ran it, coloured by
// status, with each job's details on hover and click, and the failed and
// the slowest jobs. The page loads nothing from anywhere: its style,
// script and drawing are inline.
func WriteHTML(w io.Writer, r *Run) error {
	t := newTimeline(r)
	lanes := make([]string, len(r.Jobs))
	for _, b := range t.Bars {
		lanes[b.Job] = b.Lane
	}
	d := pageData{Run: r, Timeline: t, Failed: r.FailedJobs(), Blocked: r.BlockedJobs(), Slowest: r.Slowest(10), Heaviest: r.Heaviest(runner.HeaviestListed), Duration: r.Duration.Round(time.Millisecond).String(),
		Retries: fmt.Sprintf("%d retries", r.Counts.Retries)}
	if r.Counts.Retries == 1 {
		d.Retries = "1 retry"
	}
	if !r.Start.IsZero() {
		d.Started = r.Start.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	c := r.Counts
	d.Statuses = []statusCount{
		{"succeeded", "succeeded", c.Succeeded}, {"failed", "failed", c.Failed}, {"timed_out", "timed out", c.TimedOut},
		{"canceled", "canceled", c.Canceled}, {"skipped", "skipped", c.Skipped}, {"not_started", "not started", c.NotStarted},
	}
	if c.DepFailed+c.NotNeeded > 0 {
		d.Statuses = append(d.Statuses, statusCount{"dep_failed", "dep_failed", c.DepFailed}, statusCount{"not_needed", "not needed", c.NotNeeded})
	}
	for i, j := range r.Jobs {
		d.Jobs = append(d.Jobs, pageJob{
			ID: j.ID, Label: j.Label(), Record: j.Record.Record, Status: string(j.Status), Command: j.Command(),
			Attempts: j.Attempts, ExitCode: j.ExitCode, Signal: j.Signal, Error: j.Error, BlockedBy: j.BlockedBy,
			DurationMS: j.DurationMS, StartedAt: j.StartedAt, Lane: lanes[i], StderrTail: LastLines(j.StderrTail, 40),
			MaxRSS: j.MaxRSSBytes, UserMS: j.UserMS, SysMS: j.SysMS,
		})
	}
	return page.Execute(w, d)
}

// humanBytes says a byte count for people: "512 B", "1.5 MiB".
func humanBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[u])
}
