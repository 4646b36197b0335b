package cmd

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/runner"
)

// parallelOptions are GNU parallel's flags that drover takes with
// parallel's meaning (-k is --keep-order's shorthand, registered with it).
type parallelOptions struct {
	tag    bool
	joblog string
	halt   haltSpec
	bar    bool
	eta    bool
}

func (o *parallelOptions) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.tag, "tag", false, "GNU parallel's --tag: each line of a job's output after its arguments and a TAB (group output)")
	fs.StringVar(&o.joblog, "joblog", "", "write GNU parallel's job log to `FILE`: a TAB-separated line per finished job")
	fs.Var(&o.halt, "halt", "GNU parallel's --halt: never, or now|soon,fail=N|N%|success=N|N%, onto --max-failures, --stop-on-success and --halt-mode")
	fs.BoolVar(&o.bar, "bar", false, "GNU parallel's --bar: the same as --progress bar")
	fs.BoolVar(&o.eta, "eta", false, "GNU parallel's --eta: the same as --progress bar, which shows the ETA")
}

// checkParallelFlags checks the flags above against drover's own: each of
// parallel's is another spelling of something drover has, and two
// spellings of one thing are refused.
func (o *runOptions) checkParallelFlags() error {
	p := &o.parallel
	switch {
	case o.dryRun != "" && o.dryRun != console.DryRunList && o.dryRun != console.DryRunSh:
		return usageError("--dry-run=%s: want --dry-run (the list of ids and commands) or --dry-run=sh (commands for a POSIX shell)", o.dryRun)
	case p.tag && o.output != console.OutputGroup:
		return usageError("--tag needs --output group (--output tag prefixes lines with [ID] as they come)")
	case (p.bar || p.eta) && o.changed != nil && o.changed("progress") && o.progress != console.ProgressBar:
		return usageError("--bar and --eta are --progress bar; they cannot go with --progress %s", o.progress)
	case p.halt.set && o.changed != nil:
		for _, f := range []string{"max-failures", "fail-fast", "halt-mode", "stop-on-success"} {
			if o.changed(f) {
				return usageError("--halt %s says what --%s says: give one of them", p.halt.spec, f)
			}
		}
	}
	if _, err := os.Stat(o.file); o.dryRun == console.DryRunList && o.file == console.DryRunSh && err != nil {
		return usageError("--dry-run sh: sh was read as the input FILE, and there is none; write --dry-run=sh")
	}
	if info, err := os.Stat(o.results); err == nil && info.IsDir() {
		return usageError("--results %s: drover's --results is a file of JSON records, and %s is a directory (GNU parallel's --results DIR is drover's --output-dir DIR)", o.results, o.results)
	}
	return nil
}

// progressMode is --progress, or bar for --bar and --eta.
func (o *runOptions) progressMode() string {
	if o.parallel.bar || o.parallel.eta {
		return console.ProgressBar
	}
	return o.progress
}

// haltSpec is GNU parallel's --halt: never (or 0), or WHEN,WHY with WHEN
// now or soon and WHY fail=N, fail=N%, success=N or success=N%, or the
// old forms 1, 2, -1, -2 and N%.
type haltSpec struct {
	spec    string
	set     bool
	soon    bool
	success bool    // success=…; otherwise fail=…
	count   int     // N
	percent float64 // N%; 0 for a count
}

var haltForm = regexp.MustCompile(`^(now|soon),(fail|success)=([0-9]+(?:\.[0-9]+)?)(%?)$`)

func (h *haltSpec) String() string { return h.spec }
func (h *haltSpec) Type() string   { return "WHEN,WHY" }

func (h *haltSpec) Set(s string) error {
	spec := map[string]string{"1": "soon,fail=1", "2": "now,fail=1", "-1": "soon,success=1", "-2": "now,success=1"}[s]
	switch {
	case s == "never" || s == "0":
		*h = haltSpec{spec: s}
		return nil
	case spec != "":
	case strings.HasSuffix(s, "%") && !strings.Contains(s, ","):
		spec = "soon,fail=" + s
	default:
		spec = s
	}
	m := haltForm.FindStringSubmatch(spec)
	if m == nil {
		if strings.Contains(s, "done=") {
			return errors.New("done=N (stop after N jobs, however they end) is not in drover; want fail=N|N% or success=N|N%")
		}
		return errors.New("want never, or now|soon,fail=N|N%|success=N|N% (GNU parallel's forms)")
	}
	n, err := strconv.ParseFloat(m[3], 64)
	whole := m[4] == "" && !strings.Contains(m[3], ".")
	if err != nil || n <= 0 || m[4] == "%" && n > 100 || m[4] == "" && (!whole || n > math.MaxInt32) {
		return errors.New("want a count from 1, or a percentage above 0 up to 100%")
	}
	*h = haltSpec{spec: s, set: true, soon: m[1] == "soon", success: m[2] == "success"}
	if m[4] == "%" {
		h.percent = n
	} else {
		h.count = int(n)
	}
	return nil
}

// apply sets the stop rules of --halt in cfg. A percentage is of all the
// jobs, as in GNU parallel, when their total is known (a regular FILE,
// ::: lists); of a stream, fail=N% is drover's --max-failures N% (of the
// jobs finished so far) and success=N% is refused.
func (h *haltSpec) apply(cfg *runner.Config, total int) error {
	if !h.set {
		return nil
	}
	cfg.HaltSoon = h.soon
	n := h.count
	if h.percent > 0 && total >= 0 {
		n = max(1, int(math.Ceil(h.percent*float64(total)/100-1e-9)))
	}
	switch {
	case h.success && n == 0:
		return usageError("--halt %s: a percentage of successes needs the total of jobs, which a stream does not give; give a count", h.spec)
	case h.success:
		cfg.StopOnSuccess = n
	case n == 0:
		cfg.MaxFailures, cfg.MaxFailurePercent = 0, h.percent
	default:
		cfg.MaxFailures, cfg.MaxFailurePercent = n, 0
	}
	return nil
}

// parallelOnly is what drover offers for GNU parallel's options that it
// does not have, by name as the flag error gives it.
var parallelOnly = map[string]string{
	"sshlogin":        "drover runs jobs on other machines through NATS: drover worker there, drover run --nats here",
	"S":               "drover runs jobs on other machines through NATS: drover worker there, drover run --nats here",
	"pipe":            "drover gives each job its input from the job's \"stdin\" field; it does not cut stdin into blocks",
	"X":               "drover runs one job per item (split a line into {1} {2} … with --colsep)",
	"m":               "drover runs one job per item (split a line into {1} {2} … with --colsep)",
	"n":               "drover runs one job per item (split a line into {1} {2} … with --colsep)",
	"max-args":        "drover runs one job per item (split a line into {1} {2} … with --colsep)",
	"N":               "drover runs one job per item (split a line into {1} {2} … with --colsep)",
	"xargs":           "drover runs one job per item (split a line into {1} {2} … with --colsep)",
	"I":               "{} cannot be renamed; write \\{ for a literal brace",
	"a":               "give the file as drover's FILE argument (one input file, the first source)",
	"arg-file":        "give the file as drover's FILE argument (one input file, the first source)",
	"line-buffer":     "--output tag writes lines as they come, after [ID]",
	"ungroup":         "--output raw",
	"u":               "--output raw",
	"group":           "--output group is the default",
	"resume-failed":   "--results FILE --resume runs every job that has no succeeded record, failed ones included",
	"retry-failed":    "--results FILE --resume runs every job that has no succeeded record, failed ones included",
	"trim":            "--colsep trims the spaces around each column, as --trim lr does",
	"verbose":         "--dry-run lists the commands; --events FILE records every start",
	"v":               "--dry-run lists the commands; --events FILE records every start",
	"t":               "--dry-run lists the commands; --events FILE records every start",
	"will-cite":       "drover prints no citation notice: drop the flag",
	"no-notice":       "drover prints no citation notice: drop the flag",
	"progress":        "--progress takes a mode: --progress bar (or --bar)",
	"env":             "the job's \"env\" field, or the environment drover runs in, which every job gets",
	"header":          "--format ndjson with --cmd names each record's fields as {name}",
	"shuf":            "drover runs the jobs in input order: shuffle the input (shuf)",
	"nice":            "run drover under nice",
	"semaphore":       "drover has no semaphore mode",
	"P":               "drover's is -j N",
	"max-procs":       "drover's is -j N",
	"dryrun":          "--dry-run=sh prints the commands as parallel's --dry-run does",
	"d":               "drover splits items at newlines, or at NUL bytes with -0",
	"delimiter":       "drover splits items at newlines, or at NUL bytes with -0",
	"quote":           "values are always quoted: drop the flag",
	"plus":            "drover has the replacement strings of the README's table, {-N} included; no {+.} and the like",
	"r":               "drover runs no job for empty input: drop the flag",
	"no-run-if-empty": "drover runs no job for empty input: drop the flag",
	"tagstring":       "--tag writes the job's arguments; --output tag the job's id",
	"transfer":        "drover runs jobs on other machines through NATS: drover worker there, drover run --nats here",
	"tmux":            "--output-dir DIR keeps each job's output to look at",
}

var unknownFlag = regexp.MustCompile(`^(?:unknown (?:shorthand )?flag|flag needs an argument): (?:'(.)' in -\S+|--([^=\s]+))`)

// parallelFlagError names, for a flag drover does not know that GNU
// parallel has, what drover offers instead; other errors pass as they are.
func parallelFlagError(err error) error {
	m := unknownFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	name, dash := m[1]+m[2], "--"
	if m[1] != "" {
		dash = "-"
	}
	instead, ok := parallelOnly[name]
	if !ok {
		return err
	}
	return fmt.Errorf("%s%s is GNU parallel's, not drover's: %s (see 'Coming from GNU parallel' in the README)", dash, name, instead)
}
