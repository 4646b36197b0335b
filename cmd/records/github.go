package records

import (
	"errors"
	"io"
	"os"

	"github.com/drover/drover/cmd/reports"
)

// GitHub is what a run shows on a GitHub Actions run's page, written when
// it is over: the step summary, appended to the file that
// $GITHUB_STEP_SUMMARY names, and ::error annotations, written to the log.
type GitHub struct {
	Collected
	summary     *os.File  // nil: no summary
	annotations io.Writer // nil: no annotations
}

// OpenGitHub opens the step summary file at summaryPath for appending
// ("" for no summary); annotations, unless nil, receive the ::error
// workflow commands.
func OpenGitHub(summaryPath string, annotations io.Writer) (*GitHub, error) {
	g := &GitHub{annotations: annotations}
	if summaryPath != "" {
		f, err := os.OpenFile(summaryPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		g.summary = f
	}
	return g, nil
}

// Finish writes the annotations and the summary, and closes the file.
func (g *GitHub) Finish(o Outcome) error {
	r := g.Run(o)
	var err error
	if g.annotations != nil {
		err = reports.WriteAnnotations(g.annotations, r)
	}
	serr := finishFile(&g.summary, func(f *os.File) error { return reports.WriteStepSummary(f, r) })
	return errors.Join(err, serr)
}

// Close closes the summary file; it may be called more than once.
func (g *GitHub) Close() error { return closeFile(&g.summary) }
