package console

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/runner"
)

// PrintHeaviest writes the jobs that used the most memory and CPU, one
// line for each kind, or nothing when no job used any. The ids, which
// come from outside, are escaped.
func PrintHeaviest(w io.Writer, h *runner.Heaviest) {
	if h == nil || h.Empty() {
		return
	}
	line := func(what string, jobs []runner.Heavy, weight func(runner.Usage) string) {
		if len(jobs) == 0 {
			return
		}
		parts := make([]string, len(jobs))
		for i, j := range jobs {
			parts[i] = termtext.Escape(j.ID) + " " + weight(j.Usage)
		}
		fmt.Fprintf(w, "  heaviest by %s: %s\n", what, strings.Join(parts, ", "))
	}
	line("memory", h.Memory, func(u runner.Usage) string { return Bytes(float64(u.MaxRSS)) })
	line("CPU", h.CPU, func(u runner.Usage) string {
		return fmt.Sprintf("%s (user %s, sys %s)", u.CPU().Round(time.Millisecond), u.User.Round(time.Millisecond), u.Sys.Round(time.Millisecond))
	})
}
