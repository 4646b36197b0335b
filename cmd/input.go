package cmd

import (
	"fmt"
	"strconv"
	"strings"

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
	fs.StringVar(&o.maxRecordSize, "max-record-size", "1MiB", "largest record accepted (bytes, or with KiB, MiB)")
}

func (o *inputOptions) decoderOptions() (jobspec.Options, error) {
	format, err := jobspec.ParseFormat(o.format)
	if err != nil {
		return jobspec.Options{}, usageError("--format: %v", err)
	}
	size, err := parseSize(o.maxRecordSize)
	if err != nil {
		return jobspec.Options{}, usageError("--max-record-size: %v", err)
	}
	return jobspec.Options{Format: format, MaxRecordSize: size}, nil
}

// parseSize reads a byte count such as "1048576", "512KiB" or "1MiB".
func parseSize(s string) (int, error) {
	units := []struct {
		suffix string
		mult   int
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	num, mult := strings.TrimSpace(s), 1
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > (1<<30)/mult {
		return 0, fmt.Errorf("%q is not a size from 1 byte to 1GiB (examples: 65536, 512KiB, 1MiB)", s)
	}
	return n * mult, nil
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
