package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

func TestBarCountsJobsWaitingForNeeds(t *testing.T) {
	var b bytes.Buffer
	v := newBarView(&b, nil, false)
	v.show(progressState{total: 10, start: time.Now(), blocked: 3, counts: runner.Counts{Failed: 1, DepFailed: 2}})
	if !strings.Contains(b.String(), "✗ 3 ") || !strings.Contains(b.String(), "⧗ 3 waiting for needs") {
		t.Errorf("bar %q", b.String())
	}
}

func TestSummaryNamesRootCauses(t *testing.T) {
	sum := runner.Summary{Counts: runner.Counts{Jobs: 6, Failed: 2, DepFailed: 4, NotNeeded: 1}}
	sum.CountBlocked("build")
	sum.CountBlocked("fetch\x1b[2J")
	sum.CountBlocked("build")
	sum.CountBlocked("build")
	var b bytes.Buffer
	PrintSummary(&b, NewPalette(false), sum, nil)
	for _, want := range []string{", 4 dep_failed, 1 not needed, 0 not started;", "\ndrover: 4 dep_failed: build failed (3), fetch\\e[2J failed (1)\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary %q lacks %q", b.String(), want)
		}
	}
}

func TestNeedsText(t *testing.T) {
	job := &jobspec.Job{Needs: []jobspec.Need{{ID: "build"}, {ID: "lint"}}, When: jobspec.WhenFailure}
	if got := NeedsText(job); got != "needs build, lint (when: failure)" {
		t.Errorf("%q", got)
	}
}
