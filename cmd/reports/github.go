package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drover/drover/runner"
)

// The limits of what GitHub Actions is shown.
const (
	// MaxAnnotations is how many jobs get an ::error annotation of their
	// own; one more annotation counts the rest.
	MaxAnnotations = 10
	// summaryFailures and summarySlowest bound the lists of the step summary.
	summaryFailures = 20
	summarySlowest  = 10
	// tailLines is how many stderr lines a failure shows.
	tailLines = 20
)

// WriteAnnotations writes one ::error workflow command per failed or
// timed-out job, the first MaxAnnotations of them, then one that counts
// the rest. GitHub Actions shows them on the run's page.
func WriteAnnotations(w io.Writer, r *Run) error {
	failed := r.FailedJobs()
	var b strings.Builder
	for i, j := range failed {
		if i == MaxAnnotations {
			fmt.Fprintf(&b, "::error title=%s::%s\n", escapeProperty("drover: more failures"),
				escapeData(fmt.Sprintf("%d more jobs failed or timed out; the step summary lists them", len(failed)-MaxAnnotations)))
			break
		}
		verb := "failed"
		if j.Status == runner.TimedOut {
			verb = "timed out"
		}
		msg := j.Outcome() + " (" + j.Record.Record + ")"
		if tail := LastLines(j.StderrTail, 5); tail != "" {
			msg += "\n" + tail
		}
		fmt.Fprintf(&b, "::error title=%s::%s\n", escapeProperty("drover: job "+j.Label()+" "+verb), escapeData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData escapes the message of a workflow command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value (title=...) of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// WriteStepSummary writes the run as Markdown for $GITHUB_STEP_SUMMARY: the
// counts, the failed jobs with their stderr tails, and the slowest jobs.
func WriteStepSummary(w io.Writer, r *Run) error {
	var b strings.Builder
	c := r.Counts
	verdict := "all jobs succeeded"
	if n := c.Failed + c.TimedOut + c.Canceled + c.DepFailed; n > 0 {
		verdict = fmt.Sprintf("%d of %d jobs did not succeed", n, c.Jobs)
	} else if c.Jobs == 0 {
		verdict = "no jobs"
	}
	fmt.Fprintf(&b, "### %s: %s\n\n", mdText(r.Title), verdict)
	b.WriteString("| succeeded | failed | timed out | canceled | skipped | not started | retries | wall time |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d | %s |\n\n",
		c.Succeeded, c.Failed, c.TimedOut, c.Canceled, c.Skipped, c.NotStarted, c.Retries, r.Duration.Round(time.Millisecond))

	if failed := r.FailedJobs(); len(failed) > 0 {
		fmt.Fprintf(&b, "#### Failed jobs\n\n")
		for i, j := range failed {
			if i == summaryFailures {
				fmt.Fprintf(&b, "and %d more.\n\n", len(failed)-summaryFailures)
				break
			}
			fmt.Fprintf(&b, "<details><summary><code>%s</code>: %s (%s)</summary>\n\n",
				htmlText(j.Label()), htmlText(j.Outcome()), htmlText(j.Record.Record))
			if cmd := j.Command(); cmd != "" {
				b.WriteString(codeBlock("sh", cmd))
			}
			if tail := LastLines(j.StderrTail, tailLines); tail != "" {
				b.WriteString(codeBlock("text", tail))
			}
			b.WriteString("</details>\n\n")
		}
	}
	if c.DepFailed > 0 {
		fmt.Fprintf(&b, "%d dep_failed: not run because a need did not succeed.\n\n", c.DepFailed)
	}
	if slow := r.Slowest(summarySlowest); len(slow) > 0 {
		b.WriteString("#### Slowest jobs\n\n| job | status | time | attempts |\n|---|---|---:|---:|\n")
		for _, j := range slow {
			fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", mdCell(j.Label()), j.StatusText(), j.Duration(), j.Attempts)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// codeBlock fences text with more backticks than it holds in a row.
func codeBlock(lang, text string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fence + lang + "\n" + text + "\n" + fence + "\n\n"
}

// htmlText escapes text for HTML inside Markdown.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", " ", "\r", " ").Replace(s)
}

// mdText escapes text for a Markdown line.
func mdText(s string) string {
	return strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "<", "&lt;", "#", "\\#", "\n", " ", "\r", " ").Replace(s)
}

// mdCell puts text in a table cell as code, which no Markdown in it breaks.
func mdCell(s string) string {
	return "<code>" + strings.ReplaceAll(htmlText(s), "|", "&#124;") + "</code>"
}
