package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

// TestJUnit reads a report back into the writer's own elements: what a
// reader of the format sees. (testdata/script/junit.txtar checks, on a real
// run's report, that every required attribute is there.)
func TestJUnit(t *testing.T) {
	r := sampleRun(14)
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	if s.Tests != 14 || s.Failures != 4 || s.Errors != 2 || s.Skipped != 2 || len(s.Cases) != 14 {
		t.Errorf("tests %d failures %d errors %d skipped %d cases %d; want 14 4 2 2 14", s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases))
	}
	if doc.Tests != s.Tests || doc.Failures != s.Failures {
		t.Errorf("testsuites counts differ from its suite's")
	}
	for i, c := range s.Cases {
		j := r.Jobs[i]
		if c.Name != j.ID || c.Classname != "jobs.ndjson" {
			t.Fatalf("case %d: %+v", i, c)
		}
		if want := fmt.Sprintf("%.3f", float64(j.DurationMS)/1000); c.Time != want {
			t.Errorf("%s: time %v, want %v", j.ID, c.Time, want)
		}
		switch j.Status {
		case "failed", "timed_out":
			if c.Failure == nil || c.Failure.Type != string(j.Status) {
				t.Fatalf("%s: failure %+v", j.ID, c.Failure)
			}
			if j.Status == "failed" && (c.Failure.Message != "exit code 2" || !strings.Contains(c.Failure.Text, `error: <x> & "y" failed`)) {
				t.Errorf("%s: failure message %q text %q", j.ID, c.Failure.Message, c.Failure.Text)
			}
			if j.Status == "timed_out" && c.Failure.Message != "timed out after 1s" {
				t.Errorf("%s: message %q", j.ID, c.Failure.Message)
			}
		case "canceled":
			if c.Error == nil || c.Failure != nil {
				t.Errorf("%s: want an error element", j.ID)
			}
		case "skipped":
			if c.Skipped == nil {
				t.Errorf("%s: want a skipped element", j.ID)
			}
		default:
			if c.Failure != nil || c.Error != nil || c.Skipped != nil {
				t.Errorf("%s: succeeded but %+v", j.ID, c)
			}
		}
	}
	if bytes.ContainsRune(buf.Bytes(), 0x1b) || bytes.Contains(buf.Bytes(), []byte("[31m")) {
		t.Error("a terminal escape sequence is in the report")
	}
	if f := s.Cases[2].Failure; f == nil || !strings.HasSuffix(f.Text, "\nred\n") {
		t.Error("the text around an escape sequence is lost")
	}
}
