package termtext

import (
	"strings"
	"testing"
)

func TestJobLabel(t *testing.T) {
	long := strings.Repeat("x", 60)
	for _, c := range []struct {
		id      string
		args    []string
		command string
		want    string
	}{
		{"build", nil, "make", "build"},
		{"4", []string{"a.txt", "b"}, "gzip 'a.txt' b", "4 (a.txt b)"},
		{"a.txt", []string{"a.txt"}, "gzip a.txt", "a.txt"},
		{"a.txt", []string{"a.txt", "-9"}, "gzip a.txt", "a.txt (a.txt -9)"},
		{"2", nil, "echo hello", "2 (echo hello)"},
		{"2", nil, "", "2"},
		{"7", []string{long}, "", "7 (" + strings.Repeat("x", 39) + "…)"},
		{"x\x1b[2J", []string{"a\nb"}, "", `x\e[2J (a\nb)`},
	} {
		if got := JobLabel(c.id, c.args, c.command); got != c.want {
			t.Errorf("JobLabel(%q, %q, %q) = %q, want %q", c.id, c.args, c.command, got, c.want)
		}
	}
}
