package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rivo/uniseg"

	"github.com/drover/drover/runner"
)

// TestBarFitsTheTerminal: at every width the line holds no more than the
// terminal's columns less one; the most useful parts stay longest.
func TestBarFitsTheTerminal(t *testing.T) {
	states := []progressState{
		{total: 120, accepted: 120, running: 8, limit: 8, counts: runner.Counts{Succeeded: 30, Failed: 2}, start: time.Now().Add(-time.Minute)},
		{total: -1, accepted: 52, running: 4, limit: 8, counts: runner.Counts{Succeeded: 30}, start: time.Now().Add(-time.Minute), waiting: "memory 1.2 GiB free < 2 GiB", paused: true},
		{total: 100000, running: 1000, limit: 1000, counts: runner.Counts{Succeeded: 99999}, start: time.Now(), stopping: "draining"},
	}
	for _, s := range states {
		for width := 1; width <= 140; width++ {
			var b bytes.Buffer
			v := newBarView(&b, func() int { return width }, false)
			v.show(s)
			line := strings.TrimPrefix(b.String(), "\r\x1b[2K")
			if w := uniseg.StringWidth(line); w > max(width-1, 0) {
				t.Fatalf("width %d: %d columns: %q", width, w, line)
			}
			if width >= 40 && !strings.Contains(line, "✓") {
				t.Errorf("width %d: no count of succeeded jobs: %q", width, line)
			}
			if width >= 60 && s.stopping != "" && !strings.Contains(line, s.stopping) {
				t.Errorf("width %d: %q not shown: %q", width, s.stopping, line)
			}
		}
	}
	var b bytes.Buffer
	newBarView(&b, func() int { return 120 }, false).show(states[0])
	if got := b.String(); !strings.Contains(got, "✓ 30 ✗ 2 ▶ 8/8 [") || !strings.Contains(got, "] 32/120 ") || !strings.Contains(got, "ETA ") {
		t.Errorf("at 120 columns: %q", got)
	}
}

// TestBarPieceIsProgressbars: the bar piece is exactly its columns wide,
// filled as far as the jobs done, green only when colour is on.
func TestBarPieceIsProgressbars(t *testing.T) {
	for _, c := range []struct {
		done, total, cols int
		colour            bool
		want              string
	}{
		{0, 120, 12, false, "[          ]"},
		{32, 120, 12, false, "[=>        ]"},
		{60, 120, 12, false, "[====>     ]"},
		{120, 120, 12, false, "[==========]"},
		{0, 0, 8, false, "[======]"},
		{60, 120, 12, true, "[\x1b[32m====>     \x1b[0m]"},
	} {
		s := progressState{total: c.total, counts: runner.Counts{Succeeded: c.done}}
		if got := drawBar(s, c.cols, c.colour); got != c.want {
			t.Errorf("%d of %d in %d columns (colour %v): %q, want %q", c.done, c.total, c.cols, c.colour, got, c.want)
		}
	}
}
