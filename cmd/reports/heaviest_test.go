package reports

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/drover/drover/runner"
)

// withUsage gives two jobs of a sample run their usage: job-00 the most
// memory, job-01 the most CPU.
func withUsage(r *Run) *Run {
	r.Jobs[0].MaxRSSBytes, r.Jobs[0].UserMS = 512<<20, 20
	r.Jobs[1].MaxRSSBytes, r.Jobs[1].UserMS, r.Jobs[1].SysMS = 3<<20, 4000, 250
	return r
}

func TestHTMLShowsTheHeaviestJobs(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, withUsage(sampleRun(5))); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	table := regexp.MustCompile(`(?s)<table id="heaviest">.*?</table>`).FindString(page)
	for _, want := range []string{
		`<td>memory</td><td><code>job-00</code></td><td class="num">512.0 MiB</td><td class="num">20ms</td>`,
		`<td>CPU</td><td><code>job-01</code></td><td class="num">3.0 MiB</td><td class="num">4s</td><td class="num">250ms</td>`,
	} {
		if !strings.Contains(table, want) {
			t.Errorf("heaviest table %q\nlacks %q", table, want)
		}
	}
	if !strings.Contains(page, `"max_rss_bytes":536870912`) {
		t.Error("the job's details lack its usage")
	}
	buf.Reset()
	WriteHTML(&buf, sampleRun(5))
	if strings.Contains(buf.String(), `id="heaviest"`) {
		t.Error("a heaviest table for a run whose jobs used nothing")
	}
}

func TestJUnitCarriesUsageInSystemOut(t *testing.T) {
	r := withUsage(sampleRun(7))
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	cases := doc.Suites[0].Cases
	if got, want := cases[1].SystemOut, "drover usage: max_rss_bytes=3145728 user_ms=4000 sys_ms=250\n"; got != want {
		t.Errorf("system-out %q, want %q", got, want)
	}
	if cases[2].SystemOut != "" || r.Jobs[6].Status != runner.Skipped || cases[6].SystemOut != "" {
		t.Errorf("system-out for a job without usage: %q, %q", cases[2].SystemOut, cases[6].SystemOut)
	}
}
