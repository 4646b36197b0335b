package cmd

import (
	"fmt"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// openRecords opens the record files the flags ask for, before any job
// starts, so that a path that cannot be written stops the run before it
// begins; the results file is open already (openResults). Another record
// format is one more writer added here. events is the events stream, when
// one is asked for; it is in the set too.
func (st *runState) openRecords(ios *iostreams.IOStreams) (_ *records.Set, events *records.Events, err error) {
	o := st.opts
	rec := &records.Set{}
	defer func() {
		if err != nil {
			rec.Close()
		}
	}()
	if st.results != nil {
		rec.Add("--results", st.results)
	}
	if err := openSummary(rec, o.summaryJSON); err != nil {
		return nil, nil, err
	}
	if o.parallel.joblog != "" {
		w, err := records.CreateJoblog(o.parallel.joblog)
		if err != nil {
			return nil, nil, usageError("--joblog: %v", unwrapPath(err))
		}
		rec.Add("--joblog", w)
	}
	if _, err := o.reports.open(ios, rec, !o.detach); err != nil {
		return nil, nil, err
	}
	if events, err = o.openEvents(); err != nil {
		return nil, nil, err
	}
	if events != nil {
		rec.Add("--events", events)
	}
	return rec, events, nil
}

// openSummary adds --summary-json's file at path (none for "") to rec.
func openSummary(rec *records.Set, path string) error {
	if path == "" {
		return nil
	}
	w, err := records.CreateSummary(path)
	if err != nil {
		return usageError("--summary-json: %v", unwrapPath(err))
	}
	rec.Add("--summary-json", w)
	return nil
}

// openResults opens and locks the results file, when one is asked for,
// before --resume reads it: a second drover on it stops there.
func (st *runState) openResults() error {
	o := st.opts
	if o.results == "" {
		return nil
	}
	w, err := records.OpenResults(o.results)
	if err != nil {
		return usageError("--results: %v", unwrapPath(err))
	}
	w.Shard, w.ShardMethod = st.shard.String(), st.shardMethod
	st.results = w
	return nil
}

// openEvents opens the events stream of --events or --events-fd, or
// returns nil for none.
func (o *runOptions) openEvents() (*records.Events, error) {
	switch {
	case o.events != "" && o.eventsFD >= 0:
		return nil, usageError("--events and --events-fd cannot be used together")
	case o.events != "":
		ev, err := records.CreateEvents(o.events)
		if err != nil {
			return nil, usageError("--events: %v", unwrapPath(err))
		}
		return ev, nil
	case o.eventsFD >= 0:
		ev, err := records.EventsOnFD(o.eventsFD)
		if err != nil {
			return nil, usageError("--events-fd %d: %v", o.eventsFD, unwrapPath(err))
		}
		return ev, nil
	case o.eventsFD < -1:
		return nil, usageError("--events-fd must be a file descriptor number, got %d", o.eventsFD)
	}
	return nil, nil
}

// resumeSkip is, with --resume, what skips the jobs that already
// succeeded in the results file.
func (st *runState) resumeSkip(ios *iostreams.IOStreams) (func(*jobspec.Job) bool, error) {
	o := st.opts
	if !o.resume {
		return nil, nil
	}
	maxRecord, err := parseSize(o.input.maxRecordSize, 1, 1<<30)
	if err != nil {
		return nil, usageError("--max-record-size: %v", err)
	}
	prev, err := runner.ReadPrevious(o.results, int(maxRecord))
	if err != nil {
		return nil, usageError("--resume: %v", err)
	}
	for _, line := range prev.Cut {
		fmt.Fprintf(ios.ErrOut, "drover: --resume: %s:%d: skipped a record cut short\n", termtext.Escape(o.results), line)
	}
	if len(prev.Runs) > 0 && o.nats == "" {
		fmt.Fprintf(ios.ErrOut, "drover: --resume: %s holds records of fleet runs; without --nats drover cannot check that none of them still runs ('drover status' shows them)\n", termtext.Escape(o.results))
	}
	st.previous = prev
	return func(j *jobspec.Job) bool { return prev.Succeeded[j.ID] }, nil
}
