package cmd

import (
	"errors"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/iostreams"
)

// openConsole makes, from the flags, what a person sees of the run: the
// colour, the progress view, and where the jobs' output goes.
// onDeadline is called when the run's deadline passes. typed says that
// the input is a terminal, where a person types items.
func (o *runOptions) openConsole(ios *iostreams.IOStreams, total int, typed bool, onDeadline func()) (*console.Console, error) {
	colour, err := useColor(o.color, ios)
	if err != nil {
		return nil, err
	}
	progress, err := o.progressView(ios, total, typed, colour)
	if err != nil {
		return nil, err
	}
	opts := console.Options{
		Quiet:        o.quiet,
		KeepOrder:    o.keepOrder,
		Tag:          o.parallel.tag,
		GithubGroups: ios.Getenv("GITHUB_ACTIONS") == "true" && !o.noGithubGroups,
		Colour:       colour,
		Progress:     progress,
		Total:        total,
		Limit:        o.jobs,
		Deadline:     o.deadline,
		KillGrace:    o.killGrace,
		OnDeadline:   onDeadline,
	}
	opts.FailureRule, opts.SuccessRule = o.stopRuleFlags()
	if o.nats != "" { // the workers decide both
		opts.Limit, opts.KillGrace = 0, 0
	}
	return newConsole(ios, opts, o.output, o.outputDir)
}

// newConsole makes the console of a run or a wait, with its --output
// mode and its --output-dir (none for "").
func newConsole(ios *iostreams.IOStreams, opts console.Options, output, outputDir string) (*console.Console, error) {
	con := console.New(ios, opts)
	if err := con.SetOutput(output); err != nil {
		con.Close()
		if errors.Is(err, console.ErrUnknownMode) {
			return nil, usageError("--output: %v", err)
		}
		return nil, err
	}
	if outputDir != "" {
		if err := con.SaveOutputIn(outputDir); err != nil {
			con.Close()
			return nil, usageError("--output-dir: %v", unwrapPath(err))
		}
	}
	return con, nil
}

// progressView resolves --progress: none with -q, none for auto with
// --output raw, whose output would run through the bar, and no bar while
// a person types the items at the terminal, on the line it would draw on.
func (o *runOptions) progressView(ios *iostreams.IOStreams, total int, typed, colour bool) (console.ProgressView, error) {
	mode := o.progressMode()
	if o.quiet || (mode == console.ProgressAuto && o.output == console.OutputRaw) {
		mode = console.ProgressNone
	}
	mode, err := console.ProgressMode(mode, ios)
	if err != nil {
		return nil, usageError("--progress: %v", err)
	}
	if mode == console.ProgressBar && typed {
		mode = console.ProgressNone
	}
	if mode == console.ProgressLog && o.progressInterval <= 0 {
		return nil, usageError("--progress-interval must be positive")
	}
	return console.NewProgress(mode, ios, o.progressInterval, total, colour), nil
}

// useColor resolves --color.
func useColor(mode string, ios *iostreams.IOStreams) (bool, error) {
	on, err := console.UseColor(mode, ios)
	if err != nil {
		return false, usageError("--color: %v", err)
	}
	return on, nil
}
