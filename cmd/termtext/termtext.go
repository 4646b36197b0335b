// Package termtext makes text that came from outside drover (ids, items,
// job output tails, results files, NATS messages) safe to show on a
// terminal. Files meant for machines are written exactly; only what a
// person reads goes through Escape.
package termtext

import (
	"strings"
	"unicode/utf8"
)

// Escape returns s with every control character (C0, DEL and C1), every
// byte that is not UTF-8 and the backslash written as an escape, so that
// nothing in s can move the cursor, clear the screen, set a window title
// or start a line of its own. Text without such characters is returned as
// it is, without copying.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	return escape(s, false)
}

// EscapeLines escapes each line of s apart and keeps the newlines between
// them, for multi-line text such as the tail of a job's stderr.
func EscapeLines(s string) string {
	if clean(strings.ReplaceAll(s, "\n", "")) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}

// EscapeMessage escapes a message of drover's own that quotes text from
// outside (an error, a notice): as EscapeLines, but a backslash stays as
// it is, since the message's own quoting (Go's %q) writes backslashes
// that must not be doubled. Nothing in it can reach the terminal raw but
// its newlines, which are drover's.
func EscapeMessage(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if !clean(strings.ReplaceAll(l, `\`, "")) {
			lines[i] = escape(l, true)
		}
	}
	return strings.Join(lines, "\n")
}

// escape writes s with its control characters and bytes that are not
// UTF-8 escaped, and its backslashes too unless keepBackslash is set.
func escape(s string, keepBackslash bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			writeHex(&b, s[i])
		case r == '\\' && !keepBackslash:
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == 0x1b:
			b.WriteString(`\e`)
		case isControl(r):
			if r < 0x80 {
				writeHex(&b, byte(r))
			} else {
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xf])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

const hex = "0123456789abcdef"

func writeHex(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

// clean reports whether s needs no escaping: valid UTF-8 with no control
// character and no backslash.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80 {
			return cleanSlow(s[i:])
		}
	}
	return true
}

func cleanSlow(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r == '\\' || isControl(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}
