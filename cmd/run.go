package cmd

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/iostreams"
)

// runOptions holds everything `drover run` is told on its command line.
type runOptions struct {
	input inputOptions
	file  string

	jobs          int
	throttle      throttleOptions
	queue         int // 0: 2 × jobs
	timeout       time.Duration
	killGrace     time.Duration
	retries       int
	retryDelay    time.Duration
	retryMaxDelay time.Duration
	retryBudget   budget
	maxFailures   failLimit
	failFast      bool
	haltMode      string
	stopOnSuccess int
	deadline      time.Duration
	shell         string
	dryRun        string // "" (no dry run), console.DryRunList or console.DryRunSh
	shard         string
	shardCount    int
	cost          orderOptions // --order, --history, --balance-by

	nats       string        // submit to workers through this NATS server
	cancelWait time.Duration // --nats: the wait for canceled jobs' results
	detach     bool          // --nats: return once every job is queued
	conn       natsConn      // --nats: credentials and --prefix
	ns         natsNamespace // --nats: --replicas
	changed    func(flag string) bool

	results     string
	resume      bool
	summaryJSON string
	reports     reportFlags
	events      string
	eventsFD    int // -1: none
	quiet       bool

	output           string
	keepOrder        bool
	parallel         parallelOptions // GNU parallel's spellings
	outputDir        string
	noGithubGroups   bool
	progress         string
	progressInterval time.Duration
	color            string
}

func newRunOptions() *runOptions { return &runOptions{retryBudget: -1} }

func newRunCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := newRunOptions()
	c := &cobra.Command{
		Use:   "run [flags] [FILE] [::: ARG... [::: ARG...]...]",
		Short: "Run the jobs in FILE (or stdin)",
		Long: `run reads jobs from FILE, or from stdin when FILE is absent or -, and runs
them at most --jobs at a time. A regular file is validated completely before
any job starts; a stream is validated as it is read.

With --cmd TEMPLATE, the input is items, not job records: each line of
FILE or stdin (each NUL-separated item with -0), or each argument after
:::, becomes one job whose command is TEMPLATE with {} and the other
replacement strings filled in, every value shell-quoted. Several ::: lists
give every combination of their values, or with --link their Nth values
together. See 'Commands built from arguments' in the README.

Replacement strings in TEMPLATE (and in --id TEMPLATE):
  {}     the item (all of its values)    {N}     column or ::: list N
  {.}    the item without its extension  {/}     its base name
  {//}   its directory                   {/.}    base name, no extension
  {#}    the job's number, from 1        {%}     its slot, 1 to --jobs
  {name} the field "name" of a JSON record (--format ndjson or json)

GNU parallel's spellings work with parallel's meaning: -k, --tag, --joblog
FILE, --halt now|soon,fail=N|N%|success=N|N%, --bar, --eta, -j 0, -j N%,
{-N}, and values inside the template's own "…" or '…'. --dry-run=sh prints
the commands for sh. A parallel option drover does not have is refused,
naming what drover offers instead ('Coming from GNU parallel' in the README).

Exit codes: 0 every job succeeded or was skipped; 1 a job failed, timed out or
was canceled by --max-failures; 2 bad usage, bad input, or a records file that
cannot be written; 124 the --deadline passed; 130, 143, 129 interrupted by
SIGINT, SIGTERM, SIGHUP; 141 drover's own stdout was closed.

Ctrl-Z (SIGTSTP) pauses the run and its jobs, fg (SIGCONT) resumes them;
SIGUSR1 and SIGUSR2 allow one job more or fewer at once.

With --nats --detach, run prints the run's id on stdout and returns once
every job is queued (exit 0; 1 if a job could not be queued): the run goes
on without it, and 'drover wait RUN' collects its results, 'drover status
RUN' shows it, 'drover cancel RUN' stops it.`,
		Example: `  drover run --cmd 'convert {} {.}.png' ::: *.jpg
  find . -name '*.log' | drover run -j 8 --cmd 'gzip {}'
  find src -name '*.c' -print0 | drover run -0 --cmd 'cc -c {} -o {.}.o'
  drover run --cmd 'deploy {1} {2}' ::: eu us ::: web api
  drover run jobs.ndjson
  drover run -j 8 --timeout 5m --retries 2 --results results.ndjson jobs.json
  drover run --format lines build-steps.txt
  drover run --shard auto --results shard.ndjson jobs.ndjson
  drover run --nats nats://queue.example:4222 --results res.ndjson jobs.ndjson
  RUN=$(drover run --nats nats://queue.example:4222 --detach jobs.ndjson)`,
		Args: fileAndLists,
		RunE: func(c *cobra.Command, args []string) error {
			args = opts.input.template.takeArgs(c, args)
			opts.input.template.utf8Only = opts.nats != ""
			if len(args) == 1 {
				opts.file = args[0]
			}
			opts.changed = c.Flags().Changed
			if err := opts.checkParallelFlags(); err != nil {
				return err
			}
			return runRun(ios, opts)
		},
	}
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{parallelFlagError(err)} })
	opts.addFlags(c.Flags())
	return c
}

// addFlags registers run's flags on fs, filling o.
func (o *runOptions) addFlags(fs *pflag.FlagSet) {
	o.input.addFlags(fs)
	fs.VarP(newJobsValue(&o.jobs, 4), "jobs", "j", "at most N jobs run at once (N, or N%, +N, -N of the CPUs; 0: as many as possible)")
	fs.IntVar(&o.queue, "queue", 0, "capacity of the intake queue (default 2 × --jobs)")
	fs.DurationVar(&o.timeout, "timeout", 0, "default per-attempt timeout; 0 means none")
	fs.DurationVar(&o.killGrace, "kill-grace", 2*time.Second, "time between SIGTERM and SIGKILL when a job is stopped")
	fs.IntVar(&o.retries, "retries", 0, "default extra attempts after a failed or timed-out attempt (0-100)")
	fs.DurationVar(&o.retryDelay, "retry-delay", 500*time.Millisecond, "base retry delay (exponential backoff, full jitter)")
	fs.DurationVar(&o.retryMaxDelay, "retry-max-delay", 30*time.Second, "cap on one retry delay")
	fs.Var(&o.retryBudget, "retry-budget", "retries the whole run may spend")
	fs.Var(&o.maxFailures, "max-failures", "after N jobs have finally failed, or N% of those finished (after 3), stop the run (0: no limit)")
	fs.BoolVar(&o.failFast, "fail-fast", false, "the same as --max-failures 1")
	fs.StringVar(&o.haltMode, "halt-mode", haltNow, "on reaching --max-failures or --stop-on-success: now (stop the running jobs) or soon (let them finish)")
	fs.IntVar(&o.stopOnSuccess, "stop-on-success", 0, "after N jobs have succeeded, stop intake and cancel the rest (0: never)")
	fs.DurationVar(&o.deadline, "deadline", 0, "a limit on the whole run: then stop it as SIGTERM does, exit 124 (0: none)")
	o.throttle.addFlags(fs)
	fs.StringVar(&o.shell, "shell", "/bin/sh", "shell that runs string commands, as SHELL -c CMD")
	fs.StringVar(&o.dryRun, "dry-run", "", "run nothing: print each job's id and command (and its needs), or with --dry-run=sh (`FORM` sh) the commands for a POSIX shell")
	fs.Lookup("dry-run").NoOptDefVal = console.DryRunList
	fs.StringVar(&o.nats, "nats", "", "run the jobs on drover workers through the NATS JetStream server at URL")
	fs.DurationVar(&o.cancelWait, "cancel-wait", 30*time.Second, "with --nats, how long a canceled run waits for its running jobs' results")
	fs.BoolVar(&o.detach, "detach", false, "with --nats, print the run id and return once every job is queued; drover wait collects the results")
	o.conn.addFlags(fs)
	o.ns.addFlags(fs, "with --nats, ")
	fs.StringVar(&o.shard, "shard", "", "run only the jobs whose id hashes to shard `K/N` (e.g. 2/4), or auto: from the CI's node variables")
	fs.IntVar(&o.shardCount, "shard-count", 0, "with --shard auto, the number of nodes (`N`) where the system gives only an index (Kubernetes Indexed Jobs)")
	o.cost.addFlags(fs)
	fs.StringVar(&o.results, "results", "", "append one JSON record per finished job to FILE")
	fs.BoolVar(&o.resume, "resume", false, "skip jobs that already succeeded in the --results file")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "write the final counts as JSON to FILE")
	o.reports.addFlags(fs)
	fs.StringVar(&o.events, "events", "", "write every event of the run to FILE as it happens, one JSON object a line")
	fs.IntVar(&o.eventsFD, "events-fd", -1, "write the events (as --events) to the inherited file descriptor N")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print no progress and no summary")
	fs.StringVar(&o.output, "output", console.OutputGroup, "job output: group, tag, raw or none")
	fs.BoolVarP(&o.keepOrder, "keep-order", "k", false, "with --output group, write the blocks in input order")
	o.parallel.addFlags(fs)
	fs.StringVar(&o.outputDir, "output-dir", "", "also save each job's stdout and stderr in DIR")
	fs.BoolVar(&o.noGithubGroups, "no-github-groups", false, "under GitHub Actions, do not fold each job's block in ::group::")
	fs.StringVar(&o.progress, "progress", console.ProgressAuto, "progress on stderr: auto, bar, log or none")
	fs.DurationVar(&o.progressInterval, "progress-interval", 10*time.Second, "time between status lines with --progress log")
	fs.StringVar(&o.color, "color", "auto", "colour: auto (on a terminal, unless NO_COLOR is set), always or never")
}

// budget is the --retry-budget value: a count, or -1 for unlimited.
type budget int

func (b *budget) String() string {
	if *b < 0 {
		return "unlimited"
	}
	return strconv.Itoa(int(*b))
}

func (b *budget) Set(s string) error {
	if s == "unlimited" {
		*b = -1
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return strconv.ErrSyntax
	}
	*b = budget(n)
	return nil
}

func (b *budget) Type() string { return "N" }
