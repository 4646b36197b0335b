package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The JUnit schema's elements and their required attributes, as CI test
// reporters read them. Pointers tell an absent attribute from a zero one.
type (
	junitDoc struct {
		XMLName xml.Name     `xml:"testsuites"`
		Tests   *int         `xml:"tests,attr"`
		Fail    *int         `xml:"failures,attr"`
		Skipped *int         `xml:"skipped,attr"`
		Suites  []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     *string     `xml:"name,attr"`
		Tests    *int        `xml:"tests,attr"`
		Failures *int        `xml:"failures,attr"`
		Errors   *int        `xml:"errors,attr"`
		Skipped  *int        `xml:"skipped,attr"`
		Time     *float64    `xml:"time,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      *string       `xml:"name,attr"`
		Classname *string       `xml:"classname,attr"`
		Time      *float64      `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure"`
		Error     *junitProblem `xml:"error"`
		Skipped   *struct{}     `xml:"skipped"`
	}
	junitProblem struct {
		Message *string `xml:"message,attr"`
		Type    *string `xml:"type,attr"`
	}
)

// junitcheck FILE tests=N failures=N errors=N skipped=N [ID:STATUS...]
// parses a JUnit report and checks its counts, that every element has its
// required attributes, and the status each named job's testcase shows.
func cmdJUnitCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: junitcheck FILE [tests=N ...] [ID:STATUS ...]")
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(ts.ReadFile(args[0])), &doc); err != nil {
		ts.Fatalf("%s: not JUnit XML: %v", args[0], err)
	}
	if len(doc.Suites) != 1 || doc.Tests == nil || doc.Fail == nil {
		ts.Fatalf("%s: want one testsuite in a testsuites with tests and failures", args[0])
	}
	if doc.Skipped != nil {
		ts.Fatalf("%s: junit-10.xsd allows no skipped attribute on testsuites", args[0])
	}
	s := doc.Suites[0]
	if s.Name == nil || s.Tests == nil || s.Failures == nil || s.Errors == nil || s.Skipped == nil || s.Time == nil {
		ts.Fatalf("%s: testsuite lacks a required attribute", args[0])
	}
	got := map[string]string{}
	for _, c := range s.Cases {
		if c.Name == nil || c.Classname == nil || c.Time == nil {
			ts.Fatalf("%s: testcase lacks name, classname or time", args[0])
		}
		status := "succeeded"
		switch {
		case c.Failure != nil:
			if c.Failure.Message == nil || c.Failure.Type == nil {
				ts.Fatalf("%s: %s: failure lacks message or type", args[0], *c.Name)
			}
			status = *c.Failure.Type
		case c.Error != nil:
			status = "canceled"
		case c.Skipped != nil:
			status = "skipped"
		}
		got[*c.Name] = status
	}
	counts := map[string]int{"tests": *s.Tests, "failures": *s.Failures, "errors": *s.Errors, "skipped": *s.Skipped}
	if *doc.Tests != *s.Tests || *doc.Fail != *s.Failures || *s.Tests != len(s.Cases) {
		ts.Fatalf("%s: counts disagree: testsuites %d/%d, testsuite %d/%d, %d testcases", args[0], *doc.Tests, *doc.Fail, *s.Tests, *s.Failures, len(s.Cases))
	}
	for _, a := range args[1:] {
		if k, v, ok := strings.Cut(a, "="); ok {
			want, err := strconv.Atoi(v)
			ts.Check(err)
			if counts[k] != want {
				ts.Fatalf("%s: %s=%d, want %d", args[0], k, counts[k], want)
			}
			continue
		}
		id, want, _ := strings.Cut(a, ":")
		if got[id] != want {
			ts.Fatalf("%s: job %s is %q, want %q", args[0], id, got[id], want)
		}
	}
}

// eventLines reads an events file: every line one JSON object.
func eventLines(ts *testscript.TestScript, path string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile(path)))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			ts.Fatalf("%s:%d: not JSON: %v", path, n, err)
		}
		out = append(out, m)
	}
	return out
}

// eventTypes are the types of events stream version 1.
var eventTypes = map[string]bool{"run_started": true, "accepted": true, "started": true, "retrying": true,
	"finished": true, "requeued": true, "starts_held": true, "starts_resumed": true, "intake_stopped": true,
	"signal": true, "run_finished": true}

// eventcheck FILE checks an events stream: every line has "v":1, a known
// "type" and an RFC 3339 "time"; the first is run_started and the last
// run_finished.
func cmdEventCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: eventcheck FILE")
	}
	evs := eventLines(ts, args[0])
	if len(evs) < 2 {
		ts.Fatalf("%s: %d lines", args[0], len(evs))
	}
	for i, ev := range evs {
		typ, _ := ev["type"].(string)
		tm, _ := ev["time"].(string)
		if _, err := time.Parse(time.RFC3339Nano, tm); ev["v"] != float64(1) || !eventTypes[typ] || err != nil {
			ts.Fatalf("%s:%d: v %v, type %q, time %q", args[0], i+1, ev["v"], typ, tm)
		}
	}
	if evs[0]["type"] != "run_started" || evs[len(evs)-1]["type"] != "run_finished" {
		ts.Fatalf("%s: begins with %v, ends with %v", args[0], evs[0]["type"], evs[len(evs)-1]["type"])
	}
}

// eventorder FILE ID TYPE... checks that the lines about job ID have
// exactly these types, in this order.
func cmdEventOrder(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: eventorder FILE ID TYPE...")
	}
	var got []string
	for _, ev := range eventLines(ts, args[0]) {
		if ev["id"] == args[1] {
			got = append(got, ev["type"].(string))
		}
	}
	if strings.Join(got, " ") != strings.Join(args[2:], " ") {
		ts.Fatalf("%s: job %s: %v, want %v", args[0], args[1], got, args[2:])
	}
}

// schemacheck SCHEMA GOOD BAD compiles a JSON Schema with a validator and
// checks that it accepts every line of GOOD and refuses every line of BAD.
func cmdSchemaCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: schemacheck SCHEMA GOOD BAD")
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(ts.ReadFile(args[0])))
	ts.Check(err)
	c := jsonschema.NewCompiler()
	ts.Check(c.AddResource("schema.json", doc))
	schema, err := c.Compile("schema.json")
	if err != nil {
		ts.Fatalf("%s does not compile: %v", args[0], err)
	}
	for i, file := range args[1:] {
		for n, line := range strings.Split(strings.TrimSpace(ts.ReadFile(file)), "\n") {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
			ts.Check(err)
			if err := schema.Validate(v); (err == nil) != (i == 0) {
				ts.Fatalf("%s:%d: schema says %v", file, n+1, err)
			}
		}
	}
}

// consoleProblem matches what chromium logs for a script error, a
// console.error call, or a load that was blocked or failed.
var consoleProblem = regexp.MustCompile(`(?i)CONSOLE.*(error|uncaught)|Uncaught|Refused to|net::ERR_`)

// browsercheck FILE BARS loads an HTML report in headless chromium and
// checks that its script ran to its end with no console error and drew
// BARS jobs on the timeline. With DROVER_REPORT_SCREENSHOT set, it also
// saves a screenshot there. Scripts guard it with [exec:chromium].
func cmdBrowserCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: browsercheck FILE BARS")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		ts.Fatalf("chromium: %v", err)
	}
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
		"--user-data-dir=" + ts.MkAbs("chromium-profile"), "--enable-logging=stderr", "--v=0", "--window-size=1200,780"}
	page := "file://" + ts.MkAbs(args[0])
	run := func(extra ...string) (stdout, stderr string) {
		ctx, cancel := context.WithTimeout(context.Background(), awaitLimit)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(append(base, extra...), page)...)
		cmd.Env = append(os.Environ(), "HOME="+ts.MkAbs("."))
		cmd.WaitDelay = 5 * time.Second
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			ts.Fatalf("chromium: %v\n%s", err, errOut.String())
		}
		return out.String(), errOut.String()
	}
	dom, log := run("--dump-dom")
	if m := consoleProblem.FindString(log); m != "" {
		ts.Fatalf("chromium logged a problem (%q):\n%s", m, log)
	}
	for _, want := range []string{`data-report="ready"`, `data-bars="` + args[1] + `"`} {
		if !strings.Contains(dom, want) {
			ts.Fatalf("the rendered page lacks %s: its script did not run to its end\n%s", want, log)
		}
	}
	if shot := os.Getenv("DROVER_REPORT_SCREENSHOT"); shot != "" {
		run("--screenshot=" + shot)
	}
}
