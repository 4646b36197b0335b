package reports

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/runner"
)

func TestTimelineLanes(t *testing.T) {
	r := sampleRun(21)
	tl := newTimeline(r)
	var names []string
	for _, l := range tl.Lanes {
		names = append(names, l.Name)
	}
	if got := strings.Join(names, ","); got != "slot 1,slot 2,slot 3" {
		t.Errorf("lanes %s", got)
	}
	if len(tl.Bars) != 18 { // 21 jobs, 3 of them skipped
		t.Errorf("%d bars, want 18", len(tl.Bars))
	}
	for _, b := range tl.Bars {
		j := r.Jobs[b.Job]
		if want := "slot " + string(rune('0'+j.Slot)); b.Lane != want {
			t.Errorf("%s on %s, want %s", j.ID, b.Lane, want)
		}
		if b.X < labelWidth || b.X+b.W > labelWidth+chartWidth+0.01 {
			t.Errorf("%s: bar at %v..%v, outside the axis", j.ID, b.X, b.X+b.W)
		}
	}
}

// TestTimelinePacksJobsWithoutSlots checks that records that name no slot
// go on the fewest lanes on which none overlaps another.
func TestTimelinePacksJobsWithoutSlots(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	span := func(id string, from, to int) Job {
		return NewJob(runner.Record{ID: id, Status: runner.Succeeded,
			StartedAt:  at.Add(time.Duration(from) * time.Second).Format(time.RFC3339Nano),
			FinishedAt: at.Add(time.Duration(to) * time.Second).Format(time.RFC3339Nano),
			DurationMS: int64(to-from) * 1000}, nil)
	}
	// Finishing order: b, a, d, c. Two lanes suffice: a,c and b,d.
	r := NewRun("t", []Job{span("b", 1, 3), span("a", 0, 4), span("d", 3, 6), span("c", 4, 5)}, 0)
	tl := newTimeline(r)
	if len(tl.Lanes) != 2 {
		t.Fatalf("%d lanes, want 2", len(tl.Lanes))
	}
	lane := map[string]string{}
	for _, b := range tl.Bars {
		lane[r.Jobs[b.Job].ID] = b.Lane
	}
	if lane["a"] != lane["c"] || lane["b"] != lane["d"] || lane["a"] == lane["b"] {
		t.Errorf("lanes %v", lane)
	}
}

func TestReadStderrTail(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, "x.stderr")
	var b strings.Builder
	for b.Len() < 3*maxTail {
		b.WriteString("a line of output\n")
	}
	b.WriteString("the end\n")
	os.WriteFile(long, []byte(b.String()), 0o644)
	tail := string(ReadStderrTail(long))
	if len(tail) > maxTail || !strings.HasSuffix(tail, "the end\n") || !strings.HasPrefix(tail, "a line") {
		t.Errorf("tail of %d bytes: %.40q…", len(tail), tail)
	}
	empty := filepath.Join(dir, "empty.stderr")
	os.WriteFile(empty, nil, 0o644)
	if got := ReadStderrTail(empty); got == nil || len(got) != 0 {
		t.Errorf("an empty stderr file reads as %v, want an empty slice", got)
	}
	os.WriteFile(filepath.Join(dir, "secret"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "d.stderr"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.stderr"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "fifo.stderr"), "", filepath.Join(dir, "secret"), filepath.Join(dir, "d.stderr"), filepath.Join(dir, "none.stderr"), "/dev/zero"} {
		if got := ReadStderrTail(p); got != nil {
			t.Errorf("%q: read %d bytes", p, len(got))
		}
	}
}

// TestTimelineLanesOfWorkers checks that jobs run through NATS are drawn
// on the lane of their worker and its slot.
func TestTimelineLanesOfWorkers(t *testing.T) {
	r := sampleRun(6)
	for i := range r.Jobs {
		r.Jobs[i].Worker = []string{"host-b", "host-a"}[i%2]
	}
	var names []string
	for _, l := range newTimeline(r).Lanes {
		names = append(names, l.Name)
	}
	if got := strings.Join(names, ","); got != "host-a #1,host-a #2,host-a #3,host-b #1,host-b #2,host-b #3" {
		t.Errorf("lanes %s", got)
	}
}

// A results file is hostile: times that span the longest duration drover
// can hold still make an axis of a few marks, in no time.
func TestTimelineOfTheLongestSpan(t *testing.T) {
	r := &Run{Start: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Duration: time.Duration(1<<63 - 1)}
	r.Jobs = []Job{{Record: runner.Record{ID: "a", Status: runner.Succeeded, Slot: 1}, Start: r.Start, End: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}}
	done := make(chan *timeline, 1)
	go func() { done <- newTimeline(r) }()
	select {
	case tl := <-done:
		if n := len(tl.Ticks); n < 2 || n > 10 {
			t.Errorf("%d marks on the axis, want about 8", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("newTimeline does not return for a span of the longest duration")
	}
}
