package jobspec

import (
	"strings"
)

// inCommand reads a byte where the shell reads commands: the command
// itself, a ( … ) subshell or a $( … ) substitution.
func (sc *shellScan) inCommand(i int, c shellContext) (int, error) {
	s := sc.s
	switch b := s[i]; {
	case b == '\\':
		return sc.mark(i, i+2, c), nil
	case b == '\'':
		sc.push(frameSingle, i)
	case b == '"':
		sc.push(frameDouble, i)
	case strings.HasPrefix(s[i:], "$'"):
		sc.push(frameANSI, i)
		return sc.mark(i, i+2, c), nil
	case strings.HasPrefix(s[i:], `$"`):
		sc.push(frameDouble, i) // bash's translated string; dash reads $ and "
		return sc.mark(i, i+2, c), nil
	case strings.HasPrefix(s[i:], "(("):
		sc.push(frameArith, i) // bash's arithmetic command (dash: two subshells)
		return sc.mark(i, i+2, c), nil
	case b == '(':
		sc.push(frameSub, i)
	case b == ')':
		if k := sc.top().kind; k == frameSub || k == frameCmdSub {
			sc.pop()
		}
	case b == '#' && sc.wordStart(i):
		end := strings.IndexByte(s[i:], '\n')
		if end < 0 {
			end = len(s) - i
		}
		return sc.mark(i, i+end, ctxComment), nil
	case strings.HasPrefix(s[i:], "<<<"): // bash's here-string: a word follows
		return sc.mark(i, i+3, c), nil
	case strings.HasPrefix(s[i:], "<<"):
		return sc.heredocOperator(i)
	case b == '\n' && len(sc.pending) > 0:
		return sc.heredocBodies(i + 1)
	case b == 'c' && sc.wordStart(i) && isCaseWord(s[i:]) && sc.inCmdSub():
		// A case pattern's ')' would close the $( here: where it ends,
		// and so where later values stand, is beyond a scan this simple.
		sc.unknown = true
	default:
		if j, ok := sc.dollar(i, c); ok {
			return j, nil
		}
	}
	return i + 1, nil
}

// wordStart reports whether a word can start at i: a '#' there starts a
// comment and a "case" is the keyword.
func (sc *shellScan) wordStart(i int) bool {
	return i == 0 || strings.IndexByte(" \t\n;&|()", sc.s[i-1]) >= 0
}

func isCaseWord(rest string) bool {
	return strings.HasPrefix(rest, "case") && (len(rest) == 4 || strings.IndexByte(" \t\n", rest[4]) >= 0)
}

func (sc *shellScan) inCmdSub() bool {
	for _, f := range sc.stack {
		if f.kind == frameCmdSub {
			return true
		}
	}
	return false
}

// heredocOperator reads << or <<- and the delimiter word after it; the
// body starts after the next newline.
func (sc *shellScan) heredocOperator(i int) (int, error) {
	s := sc.s
	j := i + 2
	strip := j < len(s) && s[j] == '-'
	if strip {
		j++
	}
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	delim, quoted, end := heredocWord(s, j)
	if delim == "" && !quoted {
		return 0, &TemplateError{s, i + 1, "<< needs the word that ends the here-document"}
	}
	if strings.ContainsAny(delim, "$`") {
		sc.unknown = true
	}
	sc.mark(i, end, ctxHeredoc)
	sc.pending = append(sc.pending, heredoc{delim: delim, strip: strip, quoted: quoted, at: i, depth: len(sc.stack)})
	return end, nil
}

// heredocWord reads a here-document's delimiter at j: the word with its
// quotes removed, whether it had any, and the index after it.
func heredocWord(s string, j int) (delim string, quoted bool, end int) {
	var b strings.Builder
	for j < len(s) && strings.IndexByte(" \t\n;&|<>()", s[j]) < 0 {
		switch c := s[j]; {
		case c == '\'':
			k := strings.IndexByte(s[j+1:], '\'')
			if k < 0 {
				k = len(s) - j - 1
			}
			b.WriteString(s[j+1 : j+1+k])
			j, quoted = j+k+2, true
		case c == '"':
			k := j + 1
			for ; k < len(s) && s[k] != '"'; k++ {
				if s[k] == '\\' && k+1 < len(s) && strings.IndexByte("$`\"\\\n", s[k+1]) >= 0 {
					k++
				}
				b.WriteByte(s[k])
			}
			j, quoted = k+1, true
		case c == '\\' && j+1 < len(s):
			b.WriteByte(s[j+1])
			j, quoted = j+2, true
		default:
			b.WriteByte(c)
			j++
		}
	}
	return b.String(), quoted, min(j, len(s))
}

// heredocBodies reads the bodies of the here-documents pending, from i
// (just after a newline), each up to the line that is its delimiter.
func (sc *shellScan) heredocBodies(i int) (int, error) {
	s := sc.s
	for _, h := range sc.pending {
		if h.depth != len(sc.stack) {
			sc.unknown = true // the newline is inside something opened after <<
		}
		for {
			if i >= len(s) {
				return 0, &TemplateError{s, h.at + 1, "the here-document is not ended by a line " + QuoteShell(h.delim)}
			}
			next := len(s)
			if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
				next = i + k + 1
			}
			line := strings.TrimSuffix(s[i:next], "\n")
			sc.mark(i, next, ctxHeredoc)
			i = next
			if !h.quoted && strings.HasSuffix(line, `\`) {
				sc.unknown = true // a continued line: shells differ on the delimiter
			}
			if h.strip {
				line = strings.TrimLeft(line, "\t")
			}
			if line == h.delim {
				break
			}
		}
	}
	sc.pending = sc.pending[:0]
	return i, nil
}
