package termtext

import "testing"

func TestEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain id-1", "plain id-1"},
		{"café ✓", "café ✓"},
		{"a\nb", `a\nb`},
		{"\x1b]0;title\a\x1b[2J", `\e]0;title\x07\e[2J`},
		{"tab\there\r", `tab\there\r`},
		{`back\slash`, `back\\slash`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"nul\x00", `nul\x00`},
	}
	for _, c := range cases {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEscapeLinesKeepsNewlines(t *testing.T) {
	got := EscapeLines("one\x1b[2J\ntwo\r\n")
	if want := "one\\e[2J\ntwo\\r\n"; got != want {
		t.Errorf("EscapeLines = %q, want %q", got, want)
	}
}
