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
	index int    // partValue: 0 for every value, N for the Nth, -N for the Nth from the last
	field string // partValue: the field of a record, or ""
	mod   modifier
	// quote is where a replacement string stands in a shell command:
	// ctxBare, ctxDouble or ctxSingle. afterName is set when it follows
	// $NAME, which a value must not extend.
	quote     shellContext
	afterName bool
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
//
// In a shell command each replacement string is quoted for where it
// stands: outside quotes, inside the command's own "…" or inside its '…'.
// One that stands where no quoting holds (in $(…), backquotes, ${…},
// arithmetic, $'…', a here-document or a comment), and a quote or a
// substitution left open, are errors naming the column.
func ParseTemplate(s string, argv bool) (*Template, error) {
	t := &Template{src: s}
	var ctx []shellContext
	if !argv {
		var err error
		if ctx, err = scanShell(s); err != nil {
			return nil, err
		}
	}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			t.parts = append(t.parts, part{kind: partText, text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '{' || i > 0 && s[i-1] == '$' {
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
		p, end, err := replacementAt(s, i)
		switch {
		case err != nil:
			return nil, err
		case end < 0:
			text.WriteByte(c) // {print $1}, {a,b}, {1..3}: not ours
			continue
		}
		if !argv {
			p.quote = ctx[i]
			switch {
			case p.quote <= ctxSingle:
				p.afterName = afterName(text.String())
			case p.kind != partSeq: // {#}, digits only, may stand anywhere
				return nil, &TemplateError{s, i + 1, fmt.Sprintf("%s stands %s: drover cannot quote a value there (pass it as an argument instead: sh -c '...\"$1\"...' sh %s)", p.text, where[p.quote], p.text)}
			}
		}
		flush()
		t.parts = append(t.parts, p)
		i = end
	}
	flush()
	return t, nil
}

// replacementAt reads the replacement string that starts at s[i], a '{':
// its part and the index of its '}', or end -1 for braces that are not a
// replacement string.
func replacementAt(s string, i int) (p part, end int, err error) {
	if msg := notSupported(s[i:]); msg != "" {
		return p, 0, &TemplateError{s, i + 1, msg}
	}
	j := i + 1
	for j < len(s) && (isReplacementByte(s[j]) || j == i+1 && s[j] == '-') {
		j++
	}
	if j == len(s) {
		return p, 0, &TemplateError{s, i + 1, "'{' is not closed (write \\{ for a literal brace)"}
	}
	if s[j] != '}' {
		return p, -1, nil
	}
	p, ok, err := parsePart(s[i+1 : j])
	if err != nil {
		return p, 0, &TemplateError{s, i + 1, err.Error()}
	}
	if !ok {
		return p, -1, nil
	}
	return p, j, nil
}

// afterName reports whether text ends with $NAME, which a value starting
// with a letter, a digit or '_' would extend.
func afterName(text string) bool {
	i := len(text)
	for i > 0 && isNameByte(text[i-1]) {
		i--
	}
	return i < len(text) && i > 0 && text[i-1] == '$' && !(text[i] >= '0' && text[i] <= '9')
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// notSupported names the replacement strings of GNU parallel that drover
// does not have, at the start of rest, so that they are refused rather than
// passed to the command as text: {= perl =}, {+.} and the like, {..}.
func notSupported(rest string) string {
	if k := strings.Index(rest, "=}"); strings.HasPrefix(rest, "{=") && k >= 3 {
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
	if zeros := strings.TrimLeft(inner, "0"); zeros != inner && (zeros == "#" || zeros == "%") {
		return fmt.Sprintf("%s (GNU parallel's zero-padded {%s}) is not supported: write {%s}, padded in the command if need be (printf %%05d {#})", rest[:j+1], zeros, zeros)
	}
	if strings.HasPrefix(inner, "+") || dots == ".." || dots == "..." {
		return fmt.Sprintf("%s (GNU parallel's) is not supported (known: {} {.} {/} {//} {/.} {#} {%%} {N} {-N} {N.} {N/} {N//} {N/.}, and {name} for a field of a JSON record)", rest[:j+1])
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
		return p, false, fmt.Errorf("unknown replacement string %s (known: {} {.} {/} {//} {/.} {#} {%%} {N} {-N} {N.} {N/} {N//} {N/.}, and {name} for a field of a JSON record)", p.text)
	case head == "":
	case head[0] == '-':
		n, err := strconv.Atoi(head[1:])
		if err != nil || n < 1 || n > 1<<20 || head[1] < '1' || head[1] > '9' {
			return p, false, fmt.Errorf("%s is not a position from the last (a number from 1: {-1} is the last value)", p.text)
		}
		p.index = -n
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
