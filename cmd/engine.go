package cmd

import (
	"context"
	"runtime"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/cmd/interrupt"
	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/runner"
)

// engine runs a set of jobs: the local runner, or a fleet submitter that
// runs them on workers. Signals drive it through interrupt.Stopper.
type engine interface {
	interrupt.Stopper
	Run(ctx context.Context, src runner.Source) (runner.Summary, error)
}

// newEngine makes the engine of the run, wired to the console (the jobs'
// output and the events, passing through the events stream when there is
// one) and to the records (every final result): the fleet submitter with
// --nats, the local runner otherwise. closeEngine
// releases what it holds once the run is over.
func newEngine(ios *iostreams.IOStreams, st *runState, cfg runner.Config, con *console.Console, rec *records.Set, events *records.Events, note func(string)) (eng engine, closeEngine func(), err error) {
	cfg.Sink, cfg.Events = con.Sink(), con.Events()
	if events != nil {
		cfg.Events = events.Tee(con.Events())
		defer func() {
			if err != nil {
				events.NotRun()
			}
		}()
	}
	if !rec.Empty() {
		cfg.Record = rec.Record
	}
	if st.opts.nats != "" {
		sub, closeConn, err := st.newSubmitter(ios, cfg, note)
		if err != nil {
			return nil, nil, err
		}
		return sub, closeConn, nil
	}
	cfg.Watchdog = startWatchdog(ios, cfg.KillGrace, note)
	r, err := runner.New(cfg)
	if err != nil {
		cfg.Watchdog.Close()
		return nil, nil, usageError("%v", err)
	}
	restore := oneProcessor(ios, cfg.Jobs)
	return r, func() {
		restore()
		_ = cfg.Watchdog.Close() // it stops nothing: every job has ended
	}, nil
}

// oneProcessor runs the Go scheduler on one processor for a run of one job
// at a time (unless GOMAXPROCS says otherwise), and returns what restores
// it. drover's own work between two starts is then never handed to a
// second, sleeping thread: about 15 % less CPU a job at -j 1, measured in
// bench/RESULTS.md. With more jobs at once, their starts overlap, and the
// processors are worth it.
func oneProcessor(ios *iostreams.IOStreams, jobs int) (restore func()) {
	if jobs != 1 || ios.Getenv("GOMAXPROCS") != "" {
		return func() {}
	}
	runtime.GOMAXPROCS(1)
	// Back to the runtime's own choice, which goes on following the
	// CPU limit of a container; GOMAXPROCS(prev) would pin it.
	return runtime.SetDefaultGOMAXPROCS
}
