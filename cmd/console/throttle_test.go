package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

func TestWaiting(t *testing.T) {
	for _, tt := range []struct {
		hold *runner.Hold
		want string
	}{
		{nil, ""},
		{&runner.Hold{Reason: runner.HoldMemory, Have: 1.2 * (1 << 30), Limit: 2 << 30}, "memory 1.2 GiB free < 2 GiB"},
		{&runner.Hold{Reason: runner.HoldLoad, Have: 5, Limit: 4}, "load 5 >= 4"},
		{&runner.Hold{Reason: runner.HoldLoad, Have: 3, Limit: 2.5}, "load 3 >= 2.5"},
		{&runner.Hold{Reason: runner.HoldRate, Rate: runner.Rate{Starts: 5, Per: time.Second}}, "rate 5/s"},
		{&runner.Hold{Reason: runner.HoldDelay, Delay: time.Second}, "delay 1s"},
	} {
		if got := Waiting(tt.hold); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.hold, got, tt.want)
		}
	}
}

func TestHeldLine(t *testing.T) {
	var sum runner.Summary
	if got := heldLine(sum); got != "" {
		t.Errorf("nothing held: %q", got)
	}
	sum.Held = runner.HoldTimes{Memory: 2 * time.Second, Rate: 1500 * time.Millisecond}
	sum.Requeued = 2
	want := "starts held 3.5s (memory 2s, rate 1.5s); 2 attempts stopped for want of memory and started again"
	if got := heldLine(sum); got != want {
		t.Errorf("%q, want %q", got, want)
	}
	var b bytes.Buffer
	PrintSummary(&b, NewPalette(false), sum, nil)
	if !strings.Contains(b.String(), "\ndrover: "+want+"\n") {
		t.Errorf("summary %q", b.String())
	}
}

func TestLogLineSaysWhyStartsWait(t *testing.T) {
	var b bytes.Buffer
	v := &logView{w: &b, every: time.Second}
	s := progressState{total: 3, start: time.Now()}
	v.show(s)
	if strings.Contains(b.String(), "waiting") {
		t.Errorf("nothing held: %q", b.String())
	}
	b.Reset()
	s.waiting = Waiting(&runner.Hold{Reason: runner.HoldRate, Rate: runner.Rate{Starts: 5, Per: time.Second}})
	v.show(s)
	if !strings.HasSuffix(b.String(), "; waiting: rate 5/s\n") {
		t.Errorf("%q", b.String())
	}
}

func TestRequeueNotice(t *testing.T) {
	ev := runner.Event{Kind: runner.JobRequeued, Job: &jobspec.Job{ID: "big"}, Err: &runner.LowMemory{Available: 512 << 20, Threshold: 1 << 30}}
	want := "drover: job big: stopped for want of memory (512 MiB free < 1 GiB); it starts again when memory allows\n"
	if got := requeueNotice(ev); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestBarSaysWhyStartsWait(t *testing.T) {
	var b bytes.Buffer
	v := newBarView(&b, nil, false)
	v.show(progressState{total: 10, start: time.Now(), waiting: "memory 1.2 GiB free < 2 GiB"})
	if !strings.Contains(b.String(), "waiting: memory 1.2 GiB free < 2 GiB") {
		t.Errorf("bar %q", b.String())
	}
}
