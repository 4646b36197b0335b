package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// The page in a real browser is tested end to end, from a real run, by
// testdata/script/html.txtar (browsercheck).

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
