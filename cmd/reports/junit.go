package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drover/drover/runner"
)

// The JUnit XML elements that GitHub's, GitLab's and Jenkins' test
// reporters read: one testsuites root, one testsuite, one testcase per job.
// The file validates against the Jenkins xunit plugin's junit-10.xsd (a copy
// is in testdata/junit), which allows no skipped count on testsuites: that
// count is on the testsuite only.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name      string      `xml:"name,attr"`
		Tests     int         `xml:"tests,attr"`
		Failures  int         `xml:"failures,attr"`
		Errors    int         `xml:"errors,attr"`
		Skipped   int         `xml:"skipped,attr"`
		Time      string      `xml:"time,attr"`
		Timestamp string      `xml:"timestamp,attr,omitempty"`
		Cases     []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure"`
		Error     *junitProblem `xml:"error"`
		Skipped   *junitSkipped `xml:"skipped"`
		SystemOut string        `xml:"system-out,omitempty"`
		SystemErr string        `xml:"system-err,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr,omitempty"`
	}
)

// WriteJUnit writes the run as JUnit XML: a testcase per job named by its
// label (Job.Label; classname: the input file), with its time; a failed or timed-out job
// has a failure (type "failed" or "timed_out", the exit code or signal as
// the message, the stderr tail as the text), a canceled job an error, and a
// skipped job a skipped element, as is a job its needs kept from running
// (its message says why: "needs build, which failed"). A job that ran has
// its usage in its system-out.
func WriteJUnit(w io.Writer, r *Run) error {
	suite := junitSuite{Name: r.Title, Time: seconds(r.Duration)}
	if !r.Start.IsZero() {
		suite.Timestamp = r.Start.UTC().Format("2006-01-02T15:04:05")
	}
	for _, j := range r.Jobs {
		c := junitCase{Name: j.Label(), Classname: classname(j.Record.Record), Time: seconds(j.Duration())}
		switch j.Status {
		case runner.Failed, runner.TimedOut:
			c.Failure = &junitProblem{Message: j.Outcome(), Type: string(j.Status), Text: j.StderrTail}
			suite.Failures++
		case runner.Canceled:
			c.Error = &junitProblem{Message: j.Outcome(), Type: string(j.Status), Text: j.StderrTail}
			suite.Errors++
		case runner.Skipped:
			c.Skipped = &junitSkipped{Message: "already succeeded in the results file"}
			suite.Skipped++
		case runner.DepFailed, runner.NotNeeded:
			c.Skipped = &junitSkipped{Message: j.Outcome()} // "needs build, which failed"
			suite.Skipped++
		}
		c.SystemOut = usageLine(j)
		if c.Failure == nil && c.Error == nil && j.StderrTail != "" {
			c.SystemErr = j.StderrTail
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{
		Name: r.Title, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// usageLine is what the job used, for its system-out (the xunit schema
// has no properties in a testcase): "drover usage: max_rss_bytes=N
// user_ms=N sys_ms=N", or "" for a job that did not run.
func usageLine(j Job) string {
	if j.Status == runner.Skipped || (j.MaxRSSBytes == 0 && j.UserMS == 0 && j.SysMS == 0) {
		return ""
	}
	return fmt.Sprintf("drover usage: max_rss_bytes=%d user_ms=%d sys_ms=%d\n", j.MaxRSSBytes, j.UserMS, j.SysMS)
}

// classname is the file part of a record position, "FILE:LINE".
func classname(pos string) string {
	if i := strings.LastIndexByte(pos, ':'); i > 0 {
		return pos[:i]
	}
	return pos
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
