package records

import (
	"os"
	"sync"

	"github.com/drover/drover/cmd/reports"
	"github.com/drover/drover/runner"
)

// Events is the events stream of a run: every event, one JSON line each,
// written as it happens (see reports.EventWriter). Tee puts it between the
// engine and the console; the signal watcher tells it of signals; Finish
// writes the last line. A write that fails ends the stream, not the run;
// Finish reports it.
type Events struct {
	w        *reports.EventWriter
	f        *os.File
	keepOpen bool // a descriptor drover's own streams use: never closed
	in       chan runner.Event
	wg       sync.WaitGroup
	mu       sync.Mutex
}

// CreateEvents creates (or empties) the events file at path.
func CreateEvents(path string) (*Events, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &Events{w: reports.NewEventWriter(f), f: f}, nil
}

// EventsOnFD writes the events stream to the file descriptor fd, which
// drover inherited open for writing.
func EventsOnFD(fd int) (*Events, error) {
	f := os.NewFile(uintptr(fd), "events")
	if f == nil {
		return nil, os.ErrInvalid
	}
	if _, err := f.Stat(); err != nil {
		return nil, err
	}
	return &Events{w: reports.NewEventWriter(f), f: f, keepOpen: fd <= 2}, nil
}

// Begin writes the first line: the run starts, with total jobs (-1 when
// not known).
func (e *Events) Begin(total int) { e.w.RunStarted(total) }

// Tee returns the channel the engine sends its events on: each is written
// to the stream, then passed on to next, which is closed when the engine
// closes the returned channel (or NotRun, when no engine runs). Finish
// waits for that.
func (e *Events) Tee(next chan<- runner.Event) chan<- runner.Event {
	in := make(chan runner.Event, cap(next))
	e.in = in
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(next)
		for ev := range in {
			e.event(ev)
			next <- ev
		}
	}()
	return in
}

// NotRun closes the channel Tee returned, in place of an engine that was
// given it but never ran, so that the tee ends.
func (e *Events) NotRun() { close(e.in) }

// event writes one event as it arrives; the engine decides what each
// says (an IntakeStopped event carries the cause of the stop).
func (e *Events) event(ev runner.Event) {
	if ev.Kind != runner.JobFinished {
		e.w.Event(ev, nil)
		return
	}
	rec := NewRecord(ev.Result)
	e.w.Event(ev, &rec)
}

// Signal writes that drover received the signal named sig and took the
// shutdown step action ("drain", "stop" or "kill"). The engine tells of
// the stop that follows. It may be called from any goroutine.
func (e *Events) Signal(sig, action string) { e.w.Signal(sig, action) }

// Record does nothing: finished jobs are written as their events pass.
func (e *Events) Record(*runner.Result) error { return nil }

// Finish waits for the events to have passed, writes the last line, with
// the run's summary, and closes the stream. It reports the stream's first
// write error.
func (e *Events) Finish(o Outcome) error {
	e.wg.Wait()
	var sum []byte
	if b, err := summaryJSON(o.Summary, nil, o.Interrupted, o.ExitCode); err == nil {
		sum = b
	}
	e.w.RunFinished(sum)
	err := e.w.Err()
	if cerr := e.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the stream; it may be called more than once.
func (e *Events) Close() error {
	if e.keepOpen {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return closeFile(&e.f)
}
