package console

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rivo/uniseg"
	"github.com/schollz/progressbar/v3"
)

// barView draws one live line on a terminal: the counts, a bar, done of
// total, the rate, the elapsed time and the ETA (a spinner and what was
// read so far when the total is unknown). The line never holds more than
// the terminal's width less one column, so it never wraps: parts are
// dropped, least useful first, until it fits. After the first Ctrl-C it
// says "draining" where the ETA was, since no new job starts. drover
// composes and fits the line (barParts, fitLine); the bar in it is drawn by
// progressbar (drawBar). Only the terminal goroutine calls its methods.
type barView struct {
	w      io.Writer
	width  func() int // the terminal's columns; 0 when unknown
	colour bool
	drawn  bool
	spin   int
}

// barWidth is the widest the bar itself is drawn; barMin the narrowest
// worth drawing.
const (
	barWidth     = 24
	barMin       = 6
	defaultWidth = 80
)

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func newBarView(w io.Writer, width func() int, colour bool) *barView {
	if width == nil {
		width = func() int { return 0 }
	}
	return &barView{w: w, width: width, colour: colour}
}

func (v *barView) interval() time.Duration { return 150 * time.Millisecond }
func (v *barView) drawsOver() bool         { return true }

func (v *barView) show(s progressState) {
	cols := v.width()
	if cols <= 0 {
		cols = defaultWidth
	}
	v.spin = (v.spin + 1) % len(spinner)
	line := fitLine(barParts(s, spinner[v.spin]), cols-1, s, v.colour)
	fmt.Fprint(v.w, "\r\x1b[2K"+line)
	v.drawn = true
}

func (v *barView) clear() {
	if v.drawn {
		fmt.Fprint(v.w, "\r\x1b[2K")
		v.drawn = false
	}
}

func (v *barView) finish() { v.clear() }

// barPart is one piece of the line. Pieces with a lower drop are left out
// first when the line is too wide; the bar itself is the piece with
// isBar, drawn as wide as the room left allows.
type barPart struct {
	text  string
	drop  int
	isBar bool
}

// barParts are the pieces of the line for s, in the order they are shown.
func barParts(s progressState, spin string) []barPart {
	c := s.counts
	running := fmt.Sprintf("▶ %d", s.running)
	if s.limit > 0 {
		running += fmt.Sprintf("/%d", s.limit) // running of at most limit
	}
	parts := []barPart{
		{text: fmt.Sprintf("✓ %d", c.Succeeded), drop: 9},
		{text: fmt.Sprintf("✗ %d", c.Failed+c.TimedOut+c.Canceled+c.DepFailed), drop: 9},
		{text: running, drop: 7},
	}
	if s.blocked > 0 {
		parts = append(parts, barPart{text: fmt.Sprintf("⧗ %d waiting for needs", s.blocked), drop: 5})
	}
	switch {
	case s.stopping != "":
		parts = append(parts, barPart{text: s.stopping, drop: 8})
	case s.paused:
		parts = append(parts, barPart{text: "⏸ paused", drop: 8})
	}
	if s.waiting != "" {
		parts = append(parts, barPart{text: "waiting: " + s.waiting, drop: 6})
	}
	if s.total < 0 {
		return append(parts,
			barPart{text: fmt.Sprintf("%s %d done, %d read", spin, s.done(), s.accepted), drop: 10},
			barPart{text: rate(s), drop: 1},
			barPart{text: time.Since(s.start).Round(time.Second).String(), drop: 2})
	}
	parts = append(parts,
		barPart{isBar: true, drop: 3},
		barPart{text: fmt.Sprintf("%d/%d", s.done(), s.total), drop: 10},
		barPart{text: rate(s), drop: 1},
		barPart{text: time.Since(s.start).Round(time.Second).String(), drop: 2})
	if e := eta(s); e != "" && s.stopping == "" {
		parts = append(parts, barPart{text: "ETA " + e, drop: 4})
	}
	return parts
}

// fitLine joins the parts into a line of at most width columns: the bar as
// wide as barWidth or the room left, parts dropped (lowest drop first)
// while the line is too wide, and what still is cut.
func fitLine(parts []barPart, width int, s progressState, colour bool) string {
	for {
		fixed, hasBar := 0, false
		for i, p := range parts {
			if i > 0 {
				fixed++ // the space between parts
			}
			if p.isBar {
				hasBar = true
				continue
			}
			fixed += uniseg.StringWidth(p.text)
		}
		room := width - fixed
		if !hasBar && room >= 0 || hasBar && room >= barMin {
			return joinParts(parts, min(room, barWidth), s, colour)
		}
		if len(parts) == 1 {
			return cutWidth(joinParts(parts, barMin, s, false), width)
		}
		lowest := 0
		for i, p := range parts {
			if p.drop < parts[lowest].drop {
				lowest = i
			}
		}
		parts = append(parts[:lowest:lowest], parts[lowest+1:]...)
	}
}

func joinParts(parts []barPart, barCols int, s progressState, colour bool) string {
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.text
		if p.isBar {
			texts[i] = drawBar(s, barCols, colour)
		}
	}
	return strings.Join(texts, " ")
}

// drawBar draws done of total as [=====>    ], cols wide in all. The bar
// is progressbar's, one of its own for each drawing: it writes nowhere (no
// spinner goroutine, no throttle, never stdout or stderr) and shows no
// description, count, rate or times, so it renders only its percentage and
// the bar, and the bar is kept. The rest of the line is drover's (see
// barParts), fitted to the terminal by fitLine.
func drawBar(s progressState, cols int, colour bool) string {
	total, done := int64(s.total), int64(min(s.done(), s.total))
	if total <= 0 {
		total, done = 1, 1 // nothing to run is all done
	}
	theme := progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "[", BarEnd: "]"}
	if colour {
		theme.BarStart, theme.BarEnd = "[[green]", "[reset]]"
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(io.Discard),
		progressbar.OptionSetWidth(max(cols-2, 1)),
		progressbar.OptionSetTheme(theme),
		progressbar.OptionEnableColorCodes(colour),
		progressbar.OptionThrottle(0),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(false),
	)
	_ = bar.Set64(done)   // renders when the percentage is above 0
	_ = bar.RenderBlank() // renders at 0 too
	return barOf(bar.String())
}

// barOf is the bar in a rendering of progressbar's: from its first [ to
// its last ] (colour codes hold [ but no ]).
func barOf(rendered string) string {
	start, end := strings.Index(rendered, "["), strings.LastIndex(rendered, "]")
	if start < 0 || end < start {
		return ""
	}
	return rendered[start : end+1]
}

// cutWidth cuts s to at most width columns.
func cutWidth(s string, width int) string {
	var b strings.Builder
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		w := g.Width()
		if used+w > width {
			break
		}
		used += w
		b.WriteString(g.Str())
	}
	return b.String()
}
