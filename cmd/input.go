package cmd

import (
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/input"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/jobspec"
)

// inputOptions are the flags that say how to read the job list.
type inputOptions struct {
	format        string
	maxRecordSize string
}

func (o *inputOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.format, "format", "auto", "input format: auto, json, ndjson or lines")
	fs.StringVar(&o.maxRecordSize, "max-record-size", "1MiB", "largest record accepted (bytes, or with a unit: 512KiB, 1MiB)")
}

func (o *inputOptions) decoderOptions() (jobspec.Options, error) {
	format, err := jobspec.ParseFormat(o.format)
	if err != nil {
		return jobspec.Options{}, usageError("--format: %v", err)
	}
	size, err := parseSize(o.maxRecordSize, 1, 1<<30)
	if err != nil {
		return jobspec.Options{}, usageError("--max-record-size: %v", err)
	}
	return jobspec.Options{Format: format, MaxRecordSize: int(size)}, nil
}

// open checks the input flags and opens path (stdin for "" or "-").
func (o *inputOptions) open(ios *iostreams.IOStreams, path string) (*input.Input, error) {
	opts, err := o.decoderOptions()
	if err != nil {
		return nil, err
	}
	in, err := input.Open(ios.In, path, opts)
	if err != nil {
		return nil, usageError("%v", unwrapPath(err))
	}
	return in, nil
}
