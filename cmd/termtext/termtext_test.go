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

// A message's own quoting stays as it is; what it quotes raw is escaped,
// and its newlines stay lines.
func TestEscapeMessage(t *testing.T) {
	in := "--cmd \"a\\nb\": job x\x1b[2J\tbad\xff\nsecond line"
	want := `--cmd "a\nb": job x\e[2J\tbad\xff` + "\nsecond line"
	if got := EscapeMessage(in); got != want {
		t.Errorf("EscapeMessage = %q, want %q", got, want)
	}
	if got := EscapeMessage(`plain \ text`); got != `plain \ text` {
		t.Errorf("EscapeMessage changed clean text: %q", got)
	}
}
