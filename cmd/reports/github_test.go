package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/drover/drover/runner"
)

func TestWorkflowCommandEscaping(t *testing.T) {
	in := "50% a:b,c\r\nd"
	if got, want := escapeData(in), "50%25 a:b,c%0D%0Ad"; got != want {
		t.Errorf("data: %q, want %q", got, want)
	}
	if got, want := escapeProperty(in), "50%25 a%3Ab%2Cc%0D%0Ad"; got != want {
		t.Errorf("property: %q, want %q", got, want)
	}
}

// unescape undoes the workflow-command escapes, as the runner does.
func unescape(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

func TestAnnotations(t *testing.T) {
	var jobs []Job
	for i := range 13 {
		c := 1
		jobs = append(jobs, NewJob(runner.Record{ID: fmt.Sprintf("t:%d,x", i), Record: "j:1", Status: runner.Failed, ExitCode: &c}, []byte("line 1\n100% broken\n")))
	}
	jobs = append(jobs, NewJob(runner.Record{ID: "fine", Status: runner.Succeeded}, nil))
	var buf bytes.Buffer
	if err := WriteAnnotations(&buf, NewRun("drover", jobs, 0)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != MaxAnnotations+1 {
		t.Fatalf("%d annotations, want %d:\n%s", len(lines), MaxAnnotations+1, buf.String())
	}
	for i, l := range lines {
		rest, ok := strings.CutPrefix(l, "::error title=")
		if !ok {
			t.Fatalf("line %d: %q", i, l)
		}
		title, msg, ok := strings.Cut(rest, "::")
		if !ok || strings.ContainsAny(title, ":,\n\r") || strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("line %d is not escaped: %q", i, l)
		}
		if i < MaxAnnotations {
			if want := fmt.Sprintf("drover: job t:%d,x failed", i); unescape(title) != want {
				t.Errorf("title %q, want %q", unescape(title), want)
			}
			if want := "exit code 1 (j:1)\nline 1\n100% broken"; unescape(msg) != want {
				t.Errorf("message %q, want %q", unescape(msg), want)
			}
		} else if !strings.HasPrefix(unescape(msg), "3 more jobs failed") {
			t.Errorf("last annotation %q", msg)
		}
	}
}

func TestStepSummary(t *testing.T) {
	r := sampleRun(14)
	r.Jobs[2].StderrTail = "a ``` fence\n"
	var buf bytes.Buffer
	if err := WriteStepSummary(&buf, r); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"### drover: 6 of 16 jobs did not succeed\n",
		"| 6 | 2 | 2 | 2 | 2 | 2 | 4 |",
		"#### Failed jobs",
		"<details><summary><code>job-02</code>: exit code 2 (jobs.ndjson:3)</summary>",
		"````text\na ``` fence\n````",
		"<code>job-04</code>: timed out after 1s",
		"#### Slowest jobs",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "job-05</code>: ") || strings.Contains(md, "<code>job-06</code>") || strings.Contains(md, "<code>job-13</code>") {
		t.Errorf("a canceled or skipped job is listed as failed or slow:\n%s", md)
	}
}

func TestStepSummaryCountsDepFailed(t *testing.T) {
	msg := "needs build, which failed"
	jobs := []Job{
		NewJob(runner.Record{ID: "build", Status: runner.Failed}, nil),
		NewJob(runner.Record{ID: "test", Status: runner.DepFailed, Error: &msg, BlockedBy: "build"}, nil),
	}
	var buf strings.Builder
	if err := WriteStepSummary(&buf, NewRun("drover", jobs, 0)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 of 2 jobs did not succeed", "1 dep_failed: not run because a need did not succeed."} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("step summary lacks %q:\n%s", want, buf.String())
		}
	}
}
