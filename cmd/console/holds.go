package console

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/drover/drover/runner"
)

// Waiting says why starts are held, as the progress shows it: "memory
// 1.2 GiB free < 2 GiB", "load 5 >= 4", "rate 5/s", "delay 1s". A nil
// hold is "".
func Waiting(h *runner.Hold) string {
	if h == nil {
		return ""
	}
	switch h.Reason {
	case runner.HoldMemory:
		return fmt.Sprintf("memory %s free < %s", Bytes(h.Have), Bytes(h.Limit))
	case runner.HoldLoad:
		return fmt.Sprintf("load %s >= %s", number(h.Have), number(h.Limit))
	case runner.HoldRate:
		return "rate " + h.Rate.String()
	case runner.HoldDelay:
		return "delay " + h.Delay.String()
	}
	return h.Reason.String()
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// requeueNotice is the line that says a job was stopped for want of memory.
func requeueNotice(ev runner.Event) string {
	why := "for want of memory"
	var low *runner.LowMemory
	if errors.As(ev.Err, &low) {
		why = fmt.Sprintf("for want of memory (%s free < %s)", Bytes(float64(low.Available)), Bytes(float64(low.Threshold)))
	}
	return fmt.Sprintf("drover: job %s: stopped %s; it starts again when memory allows\n", Label(ev.Job), why)
}

// heldLine is the summary's line on throttling: how long starts were held,
// by which limit, and how many attempts were stopped for memory; "" when
// nothing was held.
func heldLine(sum runner.Summary) string {
	h := sum.Held
	var parts []string
	if total := h.Total(); total > 0 {
		var by []string
		for _, l := range []struct {
			name string
			d    time.Duration
		}{{"memory", h.Memory}, {"load", h.Load}, {"rate", h.Rate}, {"delay", h.Delay}} {
			if l.d > 0 {
				by = append(by, fmt.Sprintf("%s %s", l.name, l.d.Round(time.Millisecond)))
			}
		}
		parts = append(parts, fmt.Sprintf("starts held %s (%s)", total.Round(time.Millisecond), strings.Join(by, ", ")))
	}
	if sum.Requeued > 0 {
		parts = append(parts, fmt.Sprintf("%s stopped for want of memory and started again", runner.Plural(sum.Requeued, "attempt")))
	}
	return strings.Join(parts, "; ")
}
