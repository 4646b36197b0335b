package reports

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install chromium): the HTML report is not loaded in a browser")
	return ""
}

// loadInBrowser loads an HTML file in headless chromium and returns the DOM
// after its scripts ran, and what chromium logged (console messages
// included). With screenshot set, it also saves a PNG of the page there.
func loadInBrowser(t *testing.T, page, screenshot string) (dom, log string) {
	t.Helper()
	bin := chromium(t)
	profile := t.TempDir()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
		"--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--window-size=1200,900"}
	url := "file://" + page
	run := func(extra ...string) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(append(args, extra...), url)...)
		cmd.WaitDelay = 5 * time.Second
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, errOut.String())
		}
		return out.String(), errOut.String()
	}
	dom, log = run("--dump-dom")
	if screenshot != "" {
		_, shotLog := run("--screenshot=" + screenshot)
		log += shotLog
	}
	return dom, log
}

// consoleProblem matches what chromium logs for a script error or a
// console.error call, and for a blocked or failed load.
var consoleProblem = regexp.MustCompile(`(?i)(CONSOLE.*(error|uncaught))|Uncaught|Refused to|net::ERR_`)

// TestHTMLInBrowser loads a report in headless chromium: the page's script
// runs to its end with no console error, and draws every job that ran.
func TestHTMLInBrowser(t *testing.T) {
	r := sampleRun(40)
	page := filepath.Join(t.TempDir(), "report.html")
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, log := loadInBrowser(t, page, os.Getenv("DROVER_REPORT_SCREENSHOT"))
	if m := consoleProblem.FindString(log); m != "" {
		t.Errorf("chromium logged a problem (%q):\n%s", m, log)
	}
	ran := 0
	for _, j := range r.Jobs {
		if j.Status != "skipped" {
			ran++
		}
	}
	for _, want := range []string{`data-report="ready"`, `data-jobs="` + strconv.Itoa(len(r.Jobs)) + `"`, `data-bars="` + strconv.Itoa(ran) + `"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s; the script did not run to its end", want)
		}
	}
	if n := strings.Count(dom, `class="bar `); n != ran {
		t.Errorf("%d bars in the rendered page, want %d", n, ran)
	}
}

// TestHTMLSelfContained checks that the page refers to nothing outside it.
func TestHTMLSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, sampleRun(10)); err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=|url\(|@import|https?://[^"]*\.(js|css)`).FindString(buf.String()); m != "" {
		t.Errorf("the page loads something from outside: %q", m)
	}
}

// TestHTMLEscapes checks that what a results file holds never becomes markup.
func TestHTMLEscapes(t *testing.T) {
	r := sampleRun(3)
	r.Jobs[0].ID = `</script><script>alert(1)</script>`
	r.Jobs[1].StderrTail = `<img onerror=alert(1)>`
	r.Title = "<b>x</b>"
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); strings.Contains(s, "<script>alert") || strings.Contains(s, "<img") || strings.Contains(s, "<b>x") {
		t.Errorf("unescaped input in the page")
	}
}
