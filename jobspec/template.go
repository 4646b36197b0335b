package jobspec

import (
	"fmt"
	"strconv"
	"strings"
)

// Template is a command, an argv element or an id with replacement strings
// in it, GNU parallel's: {} {.} {/} {//} {/.} {#} {%}, {N} and its
// variants {N.} {N/} {N//} {N/.}, and {name} (with the same variants) for a
// field of a JSON record. A Template is parsed once and is read-only after
// that: it may be shared between goroutines.
//
// Text that only looks like a replacement string is left as it is: a brace
// after '$' or '\' (${HOME}, \{}), a brace expansion ({1..10}) and braces
// around anything but the characters of a replacement string ({print $1}).
type Template struct {
	src   string
	parts []part
}

// partKind says what a part of a template stands for.
type partKind uint8

const (
	partText  partKind = iota // literal text
	partValue                 // {}, {N} or {name}, with a modifier
	partSeq                   // {#}: the job number
	partSlot                  // {%}: the slot the job runs in
)

// modifier is what a replacement string keeps of a value.
type modifier uint8

const (
	modWhole     modifier = iota // {}: the value
	modNoExt                     // {.}: without its extension
	modBase                      // {/}: without its directory
	modDir                       // {//}: its directory only
	modBaseNoExt                 // {/.}: without directory and extension
)

var modifiers = map[string]modifier{"": modWhole, ".": modNoExt, "/": modBase, "//": modDir, "/.": modBaseNoExt}

type part struct {
	kind  partKind
	text  string // partText: the text; otherwise the replacement string as written
	index int    // partValue: 0 for every value, N for the Nth
	field string // partValue: the field of a record, or ""
	mod   modifier
}

// TemplateError is a template that cannot be parsed.
type TemplateError struct {
	Template string
	Column   int // 1-based, in bytes
	Msg      string
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("%q, column %d: %s", e.Template, e.Column, e.Msg)
}

// ParseTemplate parses a template. In an argv element (argv true), where no
// shell will read the text, "\{" stands for a literal '{'; in a shell
// command it is left for the shell, which reads it as '{'.
func ParseTemplate(s string, argv bool) (*Template, error) {
	t := &Template{src: s}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			t.parts = append(t.parts, part{kind: partText, text: text.String()})
			text.Reset()
		}
	}
	var quote byte // in a shell command: the quote (' or ") open at i, or 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '{' {
			text.WriteByte(c)
			if !argv {
				i = shellQuoteState(s, i, &quote, &text)
			}
			continue
		}
		if i > 0 && s[i-1] == '$' {
			text.WriteByte(c)
			continue
		}
		if i > 0 && s[i-1] == '\\' {
			if argv {
				// The backslash written just before stands for nothing.
				str := text.String()
				text.Reset()
				text.WriteString(str[:len(str)-1])
			}
			text.WriteByte(c)
			continue
		}
		if msg := notSupported(s[i:]); msg != "" {
			return nil, &TemplateError{s, i + 1, msg}
		}
		j := i + 1
		for j < len(s) && isReplacementByte(s[j]) {
			j++
		}
		if j == len(s) {
			return nil, &TemplateError{s, i + 1, "'{' is not closed (write \\{ for a literal brace)"}
		}
		if s[j] != '}' {
			text.WriteByte(c) // {print $1}, {a,b}: not ours
			continue
		}
		inner := s[i+1 : j]
		p, ok, err := parsePart(inner)
		if err != nil {
			return nil, &TemplateError{s, i + 1, err.Error()}
		}
		if !ok {
			text.WriteString(s[i : j+1])
			i = j
			continue
		}
		if quote != 0 {
			// Quoted values inside the user's own quotes would reach the
			// shell unquoted: "$(...)" runs, and ' ends the user's quote.
			return nil, &TemplateError{s, i + 1, fmt.Sprintf("%s is inside quotes (%c) of the command's own: drover quotes each value itself, so remove them", s[i:j+1], quote)}
		}
		flush()
		t.parts = append(t.parts, p)
		i = j
	}
	flush()
	return t, nil
}

// shellQuoteState follows the shell's quoting over s[i], just written to
// text: it opens or closes a quote, and writes the byte a backslash
// escapes (outside single quotes) at once, returning the index it got to.
func shellQuoteState(s string, i int, quote *byte, text *strings.Builder) int {
	switch c := s[i]; {
	case *quote == '\'':
		if c == '\'' {
			*quote = 0
		}
	case c == '\\' && i+1 < len(s) && s[i+1] != '{':
		text.WriteByte(s[i+1])
		return i + 1
	case *quote == '"':
		if c == '"' {
			*quote = 0
		}
	case c == '\'' || c == '"':
		*quote = c
	}
	return i
}

// notSupported names the replacement strings of GNU parallel that drover
// does not have, at the start of rest, so that they are refused rather than
// passed to the command as text: {= perl =}, {+.} and the like, {..}.
func notSupported(rest string) string {
	if k := strings.IndexByte(rest, '}'); strings.HasPrefix(rest, "{=") && k >= 3 && rest[k-1] == '=' {
		return "{= ... =} (a Perl expression in GNU parallel) is not supported: do the work in the command (write \\{ for a literal brace)"
	}
	j := 1
	for j < len(rest) && (isReplacementByte(rest[j]) || rest[j] == '+') {
		j++
	}
	if j == len(rest) || rest[j] != '}' {
		return ""
	}
	inner := rest[1:j]
	dots := strings.TrimLeft(inner, "0123456789")
	if strings.HasPrefix(inner, "+") || dots == ".." || dots == "..." {
		return fmt.Sprintf("%s (GNU parallel's) is not supported (known: {} {.} {/} {//} {/.} {#} {%%} {N} {N.} {N/} {N//} {N/.}, and {name} for a field of a JSON record)", rest[:j+1])
	}
	return ""
}

func isReplacementByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == '/' || c == '#' || c == '%'
}

// parsePart reads the inside of a replacement string. ok is false for text
// that is a shell brace expansion, not a replacement string.
func parsePart(inner string) (p part, ok bool, err error) {
	p.text = "{" + inner + "}"
	switch inner {
	case "#":
		p.kind = partSeq
		return p, true, nil
	case "%":
		p.kind = partSlot
		return p, true, nil
	}
	p.kind = partValue
	head := inner
	if k := strings.IndexAny(inner, "./"); k >= 0 {
		head = inner[:k]
	}
	mod, known := modifiers[inner[len(head):]]
	switch {
	case strings.Contains(inner, ".."):
		return p, false, nil // a sequence expression such as {1..10}
	case !known:
		return p, false, fmt.Errorf("unknown replacement string %s (known: {} {.} {/} {//} {/.} {#} {%%} {N} {N.} {N/} {N//} {N/.}, and {name} for a field of a JSON record)", p.text)
	case head == "":
	case head[0] >= '0' && head[0] <= '9':
		n, err := strconv.Atoi(head)
		switch {
		case err != nil || n > 1<<20:
			return p, false, fmt.Errorf("%s is not a position (a number from 1)", p.text)
		case n == 0 || head[0] == '0':
			return p, false, fmt.Errorf("%s: positions count from {1}", p.text)
		}
		p.index = n
	case isIdentifier(head):
		p.field = head
	default:
		return p, false, fmt.Errorf("unknown replacement string %s", p.text)
	}
	p.mod = mod
	return p, true, nil
}

func isIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// String returns the template as written.
func (t *Template) String() string { return t.src }

// hasReplacement reports whether the template has any replacement string.
func (t *Template) hasReplacement() bool {
	for _, p := range t.parts {
		if p.kind != partText {
			return true
		}
	}
	return false
}

// first returns the first replacement string of kind k, if any.
func (t *Template) first(match func(part) bool) (part, bool) {
	for _, p := range t.parts {
		if p.kind != partText && match(p) {
			return p, true
		}
	}
	return part{}, false
}

// modify applies a modifier to a value, as GNU parallel does: {.} removes
// the last '.' after the last '/' and what follows it (so ".bashrc" has
// nothing left), {/} removes everything up to the last '/', and {//} is the
// directory as dirname(1) gives it ("." for a name without a '/').
func modify(v string, m modifier) string {
	switch m {
	case modNoExt:
		return noExt(v)
	case modBase:
		return v[strings.LastIndexByte(v, '/')+1:]
	case modDir:
		return dirname(v)
	case modBaseNoExt:
		return noExt(v[strings.LastIndexByte(v, '/')+1:])
	}
	return v
}

func noExt(v string) string {
	if i := strings.LastIndexByte(v, '.'); i >= 0 && strings.IndexByte(v[i:], '/') < 0 {
		return v[:i]
	}
	return v
}

func dirname(v string) string {
	if v == "" {
		return "."
	}
	v = strings.TrimRight(v, "/")
	if v == "" {
		return "/"
	}
	i := strings.LastIndexByte(v, '/')
	if i < 0 {
		return "."
	}
	if v = strings.TrimRight(v[:i], "/"); v == "" {
		return "/"
	}
	return v
}
