package reports

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/drover/drover/runner"
)

// EventsVersion is the version of the events stream's format, the "v" of
// every line. Fields may be added within a version; a field's meaning never
// changes and none is removed without a new version.
const EventsVersion = 1

// The types of the events stream's lines.
const (
	EventRunStarted    = "run_started"    // the run begins; "total" when the input's size is known
	EventAccepted      = "accepted"       // a job was read from the input: "id", "record"
	EventStarted       = "started"        // an attempt starts: "id", "attempt", "slot"
	EventRetrying      = "retrying"       // an attempt failed and another follows: "id", "attempt", "failure", "delay_ms"
	EventFinished      = "finished"       // a job reached its final status: "id", "status", "result" (its results record)
	EventBlocked       = "blocked"        // a need's failure keeps a job from running (dep_failed), just before its "finished": "id", "blocked_by" (the root cause), "error"
	EventRequeued      = "requeued"       // an attempt was stopped for want of memory and waits to start again: "id", "attempt", "error"
	EventStartsHeld    = "starts_held"    // a throttle holds the starts: "reason" (delay, rate, memory, load)
	EventStartsResumed = "starts_resumed" // the starts go again
	EventIntakeStopped = "intake_stopped" // no job starts after it: "reason", and "error" for bad input
	EventSignal        = "signal"         // drover received a signal: "signal", "action"
	EventRunFinished   = "run_finished"   // the run is over: "summary" (as --summary-json writes it)
)

// event is one line of the events stream.
type event struct {
	V       int             `json:"v"`
	Type    string          `json:"type"`
	Time    string          `json:"time"`
	ID      string          `json:"id,omitempty"`
	Record  string          `json:"record,omitempty"`
	Attempt int             `json:"attempt,omitempty"`
	Slot    int             `json:"slot,omitempty"`
	Failure string          `json:"failure,omitempty"`
	DelayMS *int64          `json:"delay_ms,omitempty"`
	Status  runner.Status   `json:"status,omitempty"`
	Blocked string          `json:"blocked_by,omitempty"`
	Result  *runner.Record  `json:"result,omitempty"`
	Reason  string          `json:"reason,omitempty"`
	Error   string          `json:"error,omitempty"`
	Signal  string          `json:"signal,omitempty"`
	Action  string          `json:"action,omitempty"`
	Total   *int            `json:"total,omitempty"`
	Summary json.RawMessage `json:"summary,omitempty"`
}

// EventWriter writes a run's events as NDJSON, one line per event, each
// with a single write call as the event happens, so that a reader of a pipe
// or a file sees it at once. Its methods may be called from any goroutine;
// lines never interleave. After a write fails, the writer stays silent and
// Err returns the failure.
type EventWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf bytes.Buffer
	err error
	now func() time.Time
}

// NewEventWriter writes events to w.
func NewEventWriter(w io.Writer) *EventWriter { return &EventWriter{w: w, now: time.Now} }

// Err is the first write error.
func (e *EventWriter) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

func (e *EventWriter) write(ev event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return
	}
	ev.V = EventsVersion
	ev.Time = e.now().UTC().Format(time.RFC3339Nano)
	e.buf.Reset()
	enc := json.NewEncoder(&e.buf)
	enc.SetEscapeHTML(false)
	if e.err = enc.Encode(ev); e.err == nil {
		_, e.err = e.w.Write(e.buf.Bytes())
	}
}

// RunStarted writes the first line; total < 0 when the input's size is not
// known yet.
func (e *EventWriter) RunStarted(total int) {
	ev := event{Type: EventRunStarted}
	if total >= 0 {
		ev.Total = &total
	}
	e.write(ev)
}

// Event writes one of the runner's events. rec is the results record of a
// JobFinished event's job (ignored for the other kinds).
func (e *EventWriter) Event(ev runner.Event, rec *runner.Record) {
	switch ev.Kind {
	case runner.JobAccepted:
		e.write(event{Type: EventAccepted, ID: ev.Job.ID, Record: ev.Job.Record.String()})
	case runner.AttemptStarted:
		e.write(event{Type: EventStarted, ID: ev.Job.ID, Attempt: ev.Attempt, Slot: ev.Slot})
	case runner.AttemptRetrying:
		ms := ev.Delay.Milliseconds()
		e.write(event{Type: EventRetrying, ID: ev.Job.ID, Attempt: ev.Attempt, Failure: ev.Failure, DelayMS: &ms})
	case runner.JobFinished:
		if res := ev.Result; res.Status == runner.DepFailed {
			b := event{Type: EventBlocked, ID: ev.Job.ID, Blocked: res.BlockedBy}
			if res.Err != nil {
				b.Error = res.Err.Error()
			}
			e.write(b)
		}
		e.write(event{Type: EventFinished, ID: ev.Job.ID, Status: ev.Result.Status, Result: rec})
	case runner.IntakeStopped:
		e.IntakeStopped(ev.Cause.String(), ev.Err)
	case runner.JobRequeued:
		r := event{Type: EventRequeued, ID: ev.Job.ID, Attempt: ev.Attempt}
		if ev.Err != nil {
			r.Error = ev.Err.Error()
		}
		e.write(r)
	case runner.StartsHeld:
		if ev.Hold == nil {
			e.write(event{Type: EventStartsResumed})
		} else {
			e.write(event{Type: EventStartsHeld, Reason: ev.Hold.Reason.String()})
		}
	}
}

// IntakeStopped writes that no job starts any more, and why: the name of
// a runner.StopCause, e.g. "input_error" (with err) or "max_failures".
func (e *EventWriter) IntakeStopped(reason string, err error) {
	ev := event{Type: EventIntakeStopped, Reason: reason}
	if err != nil {
		ev.Error = err.Error()
	}
	e.write(ev)
}

// Signal writes that drover received a signal (e.g. "SIGINT") and what it
// does about it: "drain", "stop" or "kill".
func (e *EventWriter) Signal(name, action string) {
	e.write(event{Type: EventSignal, Signal: name, Action: action})
}

// RunFinished writes the last line, with the run's summary as
// --summary-json writes it (one JSON object).
func (e *EventWriter) RunFinished(summary []byte) {
	e.write(event{Type: EventRunFinished, Summary: bytes.TrimSpace(summary)})
}
