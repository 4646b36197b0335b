package jobspec

import (
	"fmt"
	"strings"
)

// splitWords splits an argv template into words as a POSIX shell would,
// without any expansion: blanks separate words, '…' keeps everything,
// "…" keeps everything but \" \\ \$ and \`, and a backslash outside quotes
// keeps the next character. "\{" stays as it is, for the template to read
// as a literal brace. Characters that only mean something to a shell
// (| & ; < > ( ) $ `) are refused outside quotes: no shell will read them.
func splitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
			continue
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, &TemplateError{s, i + 1, "the quote ' is not closed"}
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte("\"\\$`", s[j+1]) >= 0 {
					j++
				}
				w.WriteByte(s[j])
			}
			if j == len(s) {
				return nil, &TemplateError{s, i + 1, `the quote " is not closed`}
			}
			i = j
		case c == '\\':
			if i+1 == len(s) {
				return nil, &TemplateError{s, i + 1, "a backslash ends the template"}
			}
			if s[i+1] == '{' {
				w.WriteByte('\\')
			}
			i++
			w.WriteByte(s[i])
		case strings.IndexByte("|&;<>()$`", c) >= 0:
			return nil, &TemplateError{s, i + 1, fmt.Sprintf("%q means something to a shell, and --cmd-argv runs none: quote it to pass it on, or use a shell command", c)}
		default:
			w.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, w.String())
	}
	if len(words) == 0 {
		return nil, &TemplateError{s, 1, "the template has no words"}
	}
	return words, nil
}
