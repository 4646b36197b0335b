package cmd

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/input"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/jobspec"
)

// inputOptions are the flags that say how to read the job list, or, with
// --cmd, the items jobs are built from.
type inputOptions struct {
	format        string
	maxRecordSize string
	template      templateOptions
}

func (o *inputOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.format, "format", "auto", "input format: auto, json, ndjson or lines (with --cmd: lines of items, or ndjson or json records)")
	fs.StringVar(&o.maxRecordSize, "max-record-size", "1MiB", "largest record accepted (bytes, or with a unit: 512KiB, 1MiB)")
	o.template.addFlags(fs)
}

// decoderOptions checks the input flags; input says whether FILE or stdin
// is read (not the ::: lists alone).
func (o *inputOptions) decoderOptions(input bool) (jobspec.Options, error) {
	format, err := jobspec.ParseFormat(o.format)
	if err != nil {
		return jobspec.Options{}, usageError("--format: %v", err)
	}
	size, err := parseSize(o.maxRecordSize, 1, 1<<30)
	if err != nil {
		return jobspec.Options{}, usageError("--max-record-size: %v", err)
	}
	tmpl, err := o.template.jobTemplate(format, input)
	if err != nil {
		return jobspec.Options{}, err
	}
	return jobspec.Options{Format: format, MaxRecordSize: int(size), Template: tmpl}, nil
}

// open checks the input flags and opens path (stdin for "" or "-"). With
// ::: lists and no path, nothing is opened: the lists are the input.
func (o *inputOptions) open(ios *iostreams.IOStreams, path string) (*input.Input, error) {
	listsOnly := o.template.lists != nil && path == ""
	opts, err := o.decoderOptions(!listsOnly)
	if err != nil {
		return nil, err
	}
	if listsOnly {
		return input.Inline(jobspec.ArgsName, opts), nil
	}
	if (path == "" || path == "-") && ios.InTTY {
		what := "the job list"
		if opts.Template != nil {
			what = "the items"
		}
		fmt.Fprintf(ios.ErrOut, "drover: reading %s from the terminal; end it with Ctrl-D (or give FILE, a pipe, or ::: ARG...)\n", what)
	}
	in, err := input.Open(ios.In, path, opts)
	if err != nil {
		return nil, usageError("%v", unwrapPath(err))
	}
	return in, nil
}
