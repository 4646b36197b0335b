package fleet

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A feed that goes quiet is made anew from the result after the last one
// it read: every result comes once, those before the remaking and those
// after it.
func TestResultsFeedMadeAnewReadsEachResultOnce(t *testing.T) {
	nc := connect(t, startServer(t))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "R", Subjects: []string{"r.>"}}); err != nil {
		t.Fatal(err)
	}
	publish := func(from, to int) {
		for i := from; i <= to; i++ {
			if _, err := js.Publish(ctx, "r.run", []byte(strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
			if _, err := js.Publish(ctx, "r.other", []byte("not this run's")); err != nil {
				t.Fatal(err)
			}
		}
	}
	publish(1, 3)
	feed := &resultsFeed{js: js, stream: "R", subject: "r.run", quiet: 50 * time.Millisecond}
	it, err := feed.open()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 100)
	done := make(chan struct{})
	read := make(chan struct{})
	go func() {
		defer close(read)
		feed.read(it, done, func(m jetstream.Msg) { got <- string(m.Data()) })
	}()
	defer func() { feed.Stop(); close(done); <-read }()

	next := 1
	take := func(to int) {
		for ; next <= to; next++ {
			select {
			case s := <-got:
				if s != strconv.Itoa(next) {
					t.Fatalf("read %q, want %d", s, next)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("result %d never came", next)
			}
		}
	}
	// Each consumer the feed makes stays on the stream until its inactive
	// threshold passes: their count says how often the feed was made anew.
	consumers := func() int {
		st, err := js.Stream(ctx, "R")
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Consumers
	}
	take(3)
	opened := consumers()
	waitFor(t, "the quiet feed made anew twice", func() bool { return consumers() >= opened+2 })
	publish(4, 5)
	take(5)
	opened = consumers()
	waitFor(t, "the feed made anew once more", func() bool { return consumers() >= opened+2 })
	select {
	case s := <-got:
		t.Fatalf("read %q again after the feed was made anew", s)
	default:
	}
}
