package fleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Server is a handle on one namespace of a NATS server: the connection,
// its JetStream, the bucket of runs and the namespace's names, built once
// by OpenServer. The run operations (ListRuns, Status, Cancel, Wait,
// Unfinished) are its methods; a Submitter and a Worker work through it.
// Its methods may be called from any goroutine. The caller closes the
// connection once nothing uses the Server any more.
type Server struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	kv     jetstream.KeyValue // the bucket of runs
	names  Names
	denial denials
}

// OpenServer opens the namespace prefix ("" for none) on nc: it makes
// sure the jobs and results streams and the bucket of runs exist, with
// replicas copies when drover creates them (0: one), and that those it
// finds have the settings drover relies on (and replicas copies, unless
// replicas is 0). A permission the server refuses ends it at once with a
// *DeniedError.
func OpenServer(ctx context.Context, nc *nats.Conn, prefix string, replicas int) (*Server, error) {
	names, err := NewNames(prefix)
	if err != nil {
		return nil, err
	}
	s := &Server{nc: nc, names: names}
	s.denial.watch(nc)
	ctx, done := s.guard(ctx)
	defer done()
	if s.js, err = streams(ctx, nc, names, replicas); err != nil {
		return nil, s.refused(ctx, err)
	}
	if s.kv, err = runs(ctx, s.js, names, replicas); err != nil {
		return nil, s.refused(ctx, err)
	}
	return s, nil
}

// Names are the names of the Server's namespace.
func (s *Server) Names() Names { return s.names }

// Conn is the Server's connection.
func (s *Server) Conn() *nats.Conn { return s.nc }

// DeniedError is the error of an operation the server refused for want
// of a permission: Subject is the subject it names (a stream's API
// subject, a run's subject).
type DeniedError struct {
	Subject string
	Err     error
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("the NATS server refused the permission to use %s (%v): check the user's permissions and --prefix", e.Subject, e.Err)
}

func (e *DeniedError) Unwrap() error { return e.Err }

// denials passes the permission violations the server reports on a
// connection to the operations under way, each of which then ends at
// once. It is safe for concurrent use.
type denials struct {
	mu      sync.Mutex
	waiting map[*context.CancelCauseFunc]struct{}
}

// watch hears the connection's errors, passing them on to the handler
// the connection had.
func (d *denials) watch(nc *nats.Conn) {
	prev := nc.ErrorHandler()
	nc.SetErrorHandler(func(c *nats.Conn, sub *nats.Subscription, err error) {
		if prev != nil {
			prev(c, sub, err)
		}
		if errors.Is(err, nats.ErrPermissionViolation) {
			d.deny(&DeniedError{Subject: deniedSubject(err), Err: err})
		}
	})
}

func (d *denials) deny(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for cancel := range d.waiting {
		(*cancel)(err)
	}
}

// guard returns a context that ends, with the *DeniedError as its cause,
// when the server refuses a permission before done is called.
func (s *Server) guard(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	d := &s.denial
	d.mu.Lock()
	if d.waiting == nil {
		d.waiting = map[*context.CancelCauseFunc]struct{}{}
	}
	d.waiting[&cancel] = struct{}{}
	d.mu.Unlock()
	return ctx, func() {
		d.mu.Lock()
		delete(d.waiting, &cancel)
		d.mu.Unlock()
		cancel(nil)
	}
}

// explain says what to do about err, an error of an operation under ctx
// from guard: a refused permission is said as such.
func (s *Server) explain(ctx context.Context, err error) error {
	var denied *DeniedError
	if cause := context.Cause(ctx); errors.As(cause, &denied) {
		return denied
	}
	return explain(err)
}

// refused is err, or the *DeniedError that ended ctx, a context from
// guard.
func (s *Server) refused(ctx context.Context, err error) error {
	var denied *DeniedError
	if cause := context.Cause(ctx); errors.As(cause, &denied) {
		return denied
	}
	return err
}

// deniedSubject finds the quoted subject in a permissions violation
// ("Permissions Violation for Publish to "SUBJECT"").
func deniedSubject(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '"'); i >= 0 {
		if j := strings.IndexByte(msg[i+1:], '"'); j >= 0 {
			return msg[i+1 : i+1+j]
		}
	}
	return "a subject"
}

// purge removes the messages on subject from stream, on a best-effort
// basis: what is left expires after StreamMaxAge.
func (s *Server) purge(ctx context.Context, stream, subject string) {
	if st, err := s.js.Stream(ctx, stream); err == nil {
		st.Purge(ctx, jetstream.WithPurgeSubject(subject))
	}
}
