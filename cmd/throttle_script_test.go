package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// waitfor PATH REGEXP waits until a line of PATH matches REGEXP.
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitfor PATH REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	deadline := time.Now().Add(awaitLimit)
	for {
		if b, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && re.Match(b) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no line of %s matched %q within %s", args[0], args[1], awaitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startgaps RESULTS MIN [SPAN] checks, from the started_at times of a
// results file, that no two jobs started less than MIN apart, and, given
// SPAN, that the first and last starts are at least SPAN apart. Both are
// lower bounds, which a slow machine cannot break.
func cmdStartgaps(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: startgaps RESULTS MIN [SPAN]")
	}
	minGap, err := time.ParseDuration(args[1])
	ts.Check(err)
	var starts []time.Time
	sc := bufio.NewScanner(bytes.NewReader([]byte(ts.ReadFile(args[0]))))
	for sc.Scan() {
		var rec struct {
			StartedAt time.Time `json:"started_at"`
		}
		ts.Check(json.Unmarshal(sc.Bytes(), &rec))
		starts = append(starts, rec.StartedAt)
	}
	if len(starts) < 2 {
		ts.Fatalf("%s: %d records, want two or more", args[0], len(starts))
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < minGap {
			ts.Fatalf("starts %d and %d are %s apart, want at least %s", i, i+1, gap, minGap)
		}
	}
	if len(args) == 3 {
		span, err := time.ParseDuration(args[2])
		ts.Check(err)
		if got := starts[len(starts)-1].Sub(starts[0]); got < span {
			ts.Fatalf("%d starts within %s, want at least %s from first to last", len(starts), got, span)
		}
	}
}
