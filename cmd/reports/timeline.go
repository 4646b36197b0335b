package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// The timeline's drawing area, in SVG user units.
const (
	chartWidth = 1000 // the time axis
	labelWidth = 130  // lane names, left of the axis
	laneHeight = 20
	barHeight  = 14
	axisHeight = 24
)

// lane is one row of the timeline: a slot of a run, or of a fleet worker.
type lane struct {
	Name string
	Y    int
}

// bar is one job drawn on the timeline.
type bar struct {
	Job        int // index in Run.Jobs and in the page's job data
	X, Y, W, H float64
	Status     string
	Title      string
	Lane       string
}

// tick is a mark of the time axis.
type tick struct {
	X     float64
	Label string
}

// timeline is the Gantt chart of a run: every job that ran, on the lane of
// the slot (and worker) that ran it.
type timeline struct {
	Lanes  []lane
	Bars   []bar
	Ticks  []tick
	Width  int
	Height int
	Left   int
	Axis   int
}

// newTimeline lays the jobs out. A job's lane is its worker and slot; jobs
// whose records name no slot are packed onto the fewest lanes on which
// none overlaps another. Jobs without times (skipped) are not drawn.
func newTimeline(r *Run) *timeline {
	t := &timeline{Width: labelWidth + chartWidth + 10, Left: labelWidth, Axis: axisHeight}
	span := r.Duration
	if span <= 0 {
		span = time.Millisecond
	}
	type key struct {
		worker string
		slot   int
	}
	var keys []key
	lanesOf := map[key]int{}
	var packed []time.Time // for jobs without a slot: each packed lane's last end
	placed := make([]key, len(r.Jobs))
	drawn := make([]bool, len(r.Jobs))
	order := make([]int, len(r.Jobs)) // by start, for packing
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return r.Jobs[a].Start.Compare(r.Jobs[b].Start) })
	for _, i := range order {
		j := r.Jobs[i]
		if !j.ran() || j.Start.IsZero() || j.End.IsZero() || j.End.Before(j.Start) || r.Start.IsZero() {
			continue
		}
		k := key{j.Worker, j.Slot}
		if j.Slot == 0 {
			n := slices.IndexFunc(packed, func(end time.Time) bool { return !end.After(j.Start) })
			if n < 0 {
				n = len(packed)
				packed = append(packed, time.Time{})
			}
			packed[n] = j.End
			k = key{"\x00packed", n + 1}
		}
		if _, ok := lanesOf[k]; !ok {
			lanesOf[k] = 0
			keys = append(keys, k)
		}
		placed[i], drawn[i] = k, true
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.worker != b.worker {
			if a.worker < b.worker {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.slot, b.slot)
	})
	for n, k := range keys {
		lanesOf[k] = n
		t.Lanes = append(t.Lanes, lane{Name: laneName(k.worker, k.slot), Y: axisHeight + n*laneHeight + laneHeight/2 + 4})
	}
	scale := chartWidth / span.Seconds()
	for i, j := range r.Jobs {
		if !drawn[i] {
			continue
		}
		n := lanesOf[placed[i]]
		x := j.Start.Sub(r.Start).Seconds() * scale
		w := math.Max(j.End.Sub(j.Start).Seconds()*scale, 1)
		t.Bars = append(t.Bars, bar{
			Job: i, X: labelWidth + x, Y: float64(axisHeight + n*laneHeight + (laneHeight-barHeight)/2),
			W: w, H: barHeight, Status: string(j.Status),
			Title: fmt.Sprintf("%s: %s, %s", j.Label(), j.Outcome(), j.Duration()),
			Lane:  t.Lanes[n].Name,
		})
	}
	t.Height = axisHeight + max(len(t.Lanes), 1)*laneHeight + 4
	t.addTicks(span, scale)
	return t
}

// addTicks marks the time axis of a chart spanning span, at scale pixels
// a second.
func (t *timeline) addTicks(span time.Duration, scale float64) {
	step := tickStep(span)
	for d := time.Duration(0); ; d += step {
		t.Ticks = append(t.Ticks, tick{X: labelWidth + d.Seconds()*scale, Label: shortDuration(d)})
		if d > span-step { // d += step would pass span, or overflow near the longest duration
			break
		}
	}
}

// laneName names the lane of a worker's slot ("" for a local run's;
// "\x00packed" for the lanes of jobs without a slot).
func laneName(worker string, slot int) string {
	switch {
	case worker == "\x00packed":
		return "lane " + strconv.Itoa(slot)
	case worker != "":
		return worker + " #" + strconv.Itoa(slot)
	}
	return "slot " + strconv.Itoa(slot)
}

// tickStep picks a round step giving the axis about eight marks.
func tickStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{
		time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond,
		50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	} {
		if span/s <= 8 {
			return s
		}
	}
	return span / 8
}

func shortDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return d.Round(time.Millisecond).String()
}
