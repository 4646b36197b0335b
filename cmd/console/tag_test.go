package console

import (
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
)

// Every line gets the prefix once, however the writes cut the lines; a
// last line without a newline keeps none, as GNU parallel's --tag writes.
func TestLinePrefixer(t *testing.T) {
	var b strings.Builder
	p := &linePrefixer{w: &b, prefix: []byte("a b\t")}
	for _, w := range []string{"l1\nl", "2", "\n\n", "l4\nl5"} {
		if n, err := p.Write([]byte(w)); n != len(w) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", w, n, err)
		}
	}
	if want := "a b\tl1\na b\tl2\na b\t\na b\tl4\na b\tl5"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestTagOf(t *testing.T) {
	for _, tc := range []struct {
		job      jobspec.Job
		terminal bool
		want     string
	}{
		{jobspec.Job{ID: "1", Args: []string{"a b", "c"}}, false, "a b c"},
		{jobspec.Job{ID: "build"}, false, "build"},
		{jobspec.Job{ID: "1", Args: []string{""}}, false, ""},
		{jobspec.Job{ID: "1", Args: []string{"x\x1b[2J"}}, true, `x\e[2J`},
	} {
		if got := tagOf(&tc.job, tc.terminal); got != tc.want {
			t.Errorf("tagOf(%+v, %v) = %q, want %q", tc.job, tc.terminal, got, tc.want)
		}
	}
}
