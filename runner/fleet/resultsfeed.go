package fleet

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// resultsQuiet is how long the results feed waits with nothing read
// before it makes its consumer anew. An ordered consumer whose server was
// lost can stay silent for good when its own reset fails while a cluster
// elects leaders; a new one, from the stream sequence after the last
// result read, misses nothing and reads nothing twice.
const resultsQuiet = 10 * time.Second

// resultsFeed reads the results of one run from the results stream, from
// the first on. next is the stream sequence it starts from and is touched
// by the reading goroutine only; Stop may be called from any goroutine,
// once the reading is over or at any time before.
type resultsFeed struct {
	js      jetstream.JetStream
	stream  string
	subject string
	next    uint64        // 0 until a result was read: then the one after it
	quiet   time.Duration // resultsQuiet when 0

	mu      sync.Mutex
	it      jetstream.MessagesContext
	stopped bool
}

// open makes a consumer from next on and its iterator; ErrMsgIteratorClosed
// once the feed is stopped.
func (r *resultsFeed) open() (jetstream.MessagesContext, error) {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{r.subject}, InactiveThreshold: time.Minute}
	if r.next > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, r.next
	}
	ctx, cancel := context.WithTimeout(context.Background(), resultsQuiet)
	defer cancel()
	cons, err := r.js.OrderedConsumer(ctx, r.stream, cfg)
	if err != nil {
		return nil, err
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		it.Stop()
		return nil, jetstream.ErrMsgIteratorClosed
	}
	r.it = it
	return it, nil
}

// Stop ends the feed: the reading goroutine's Next returns at once.
func (r *resultsFeed) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.it != nil {
		r.it.Stop()
	}
}

func (r *resultsFeed) isStopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}

// read calls fn with each message, in stream order, from it (the first
// iterator, made by open) on, until the feed is stopped or done closes,
// making the consumer anew whenever it has been quiet for resultsQuiet.
func (r *resultsFeed) read(it jetstream.MessagesContext, done <-chan struct{}, fn func(jetstream.Msg)) {
	for r.drain(it, done, fn) && !r.isStopped() {
		var err error
		for it, err = r.open(); err != nil; it, err = r.open() {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			}
			select { // the cluster may be electing its leaders
			case <-done:
				return
			case <-time.After(time.Second):
			}
		}
	}
}

// drain reads it until it is stopped (by Stop, or by the quiet timer: then
// it reports true, to be made anew) or done closes (false).
func (r *resultsFeed) drain(it jetstream.MessagesContext, done <-chan struct{}, fn func(jetstream.Msg)) bool {
	wait := r.quiet
	if wait == 0 {
		wait = resultsQuiet
	}
	quiet := time.AfterFunc(wait, it.Stop)
	defer quiet.Stop()
	for {
		msg, err := it.Next()
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			return true
		}
		if err != nil { // the ordered consumer recovers by itself; wait a little
			select {
			case <-done:
				return false
			case <-time.After(100 * time.Millisecond):
				continue
			}
		}
		quiet.Reset(wait)
		if md, err := msg.Metadata(); err == nil {
			r.next = md.Sequence.Stream + 1
		}
		fn(msg)
	}
}
