package cmd

import (
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/runner"
)

// reportFlags are the reports that `drover run` and `drover report` both
// write: JUnit XML, HTML, and under GitHub Actions the step summary and
// the annotations.
type reportFlags struct {
	junit               string
	html                string
	noGithubSummary     bool
	noGithubAnnotations bool
}

func (r *reportFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.junit, "junit", "", "write a JUnit XML report (one testcase per job) to FILE")
	fs.StringVar(&r.html, "html", "", "write an HTML report with a timeline of the jobs to FILE")
	fs.BoolVar(&r.noGithubSummary, "no-github-summary", false, "under GitHub Actions, do not append a summary to $GITHUB_STEP_SUMMARY")
	fs.BoolVar(&r.noGithubAnnotations, "no-github-annotations", false, "under GitHub Actions, do not write ::error annotations for failed jobs")
}

// collector is a record file written whole at the end, from what it
// collected: a report.
type collector interface {
	records.Writer
	Add(rec runner.Record, stderrTail []byte)
}

// open opens the reports asked for, before any job starts, and adds them
// to set. It returns them, for `drover report` to fill from records.
// Under GitHub Actions, github says whether to show the run on its page
// (not for a detached run, whose jobs run after drover has returned).
func (r *reportFlags) open(ios *iostreams.IOStreams, set *records.Set, github bool) ([]collector, error) {
	var out []collector
	add := func(name string, c collector) {
		set.Add(name, c)
		out = append(out, c)
	}
	if r.junit != "" {
		w, err := records.CreateJUnit(r.junit)
		if err != nil {
			return nil, usageError("--junit: %v", unwrapPath(err))
		}
		add("--junit", w)
	}
	if r.html != "" {
		w, err := records.CreateHTML(r.html)
		if err != nil {
			return nil, usageError("--html: %v", unwrapPath(err))
		}
		add("--html", w)
	}
	if github && ios.Getenv("GITHUB_ACTIONS") == "true" {
		summary := ios.Getenv("GITHUB_STEP_SUMMARY")
		if r.noGithubSummary {
			summary = ""
		}
		annotations := ios.ErrOut
		if r.noGithubAnnotations {
			annotations = nil
		}
		if summary != "" || annotations != nil {
			w, err := records.OpenGitHub(summary, annotations)
			if err != nil {
				return nil, usageError("$GITHUB_STEP_SUMMARY: %v", unwrapPath(err))
			}
			add("$GITHUB_STEP_SUMMARY", w)
		}
	}
	return out, nil
}
