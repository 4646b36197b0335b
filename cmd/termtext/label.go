package termtext

import (
	"strings"
	"unicode/utf8"
)

// labelWidth is how many characters of a job's arguments or command its
// label shows.
const labelWidth = 40

// JobLabel is how drover names a job to a person (the summary, notices,
// JUnit, HTML, GitHub annotations, drover report): its id, and beside it
// what tells it apart when the id alone does not. A job built from a
// template shows its arguments; a job whose id is a number (the record
// number, when the record gave none) shows the start of its command. The
// label is escaped, and what stands beside the id is cut to labelWidth
// characters.
func JobLabel(id string, args []string, command string) string {
	extra := command
	if args != nil {
		extra = strings.Join(args, " ")
	} else if !isNumber(id) {
		extra = ""
	}
	if extra == "" || extra == id {
		return Escape(id)
	}
	return Escape(id) + " (" + shorten(Escape(extra), labelWidth) + ")"
}

// StatusText is a job's status as a person reads it: "timed out", not
// "timed_out" (the files for programs keep the names).
func StatusText(status string) string { return strings.ReplaceAll(status, "_", " ") }

// shorten cuts s to at most n characters, the last of them "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
