package jobspec

import (
	"strconv"
	"strings"
)

// SlotVariable is the environment variable that holds the slot a job runs
// in; {%} in a shell command reads it, since the slot is only known when
// the job starts.
const SlotVariable = "DROVER_JOB_SLOT"

// values are what one job's replacement strings are filled from.
type values struct {
	seq  int
	args []string // {1}, {2}, …; {} is all of them
	// isRecord is set for a JSON record: record is its text ({} of a
	// record) and fields the values of the fields the templates name, in
	// the order of names.
	isRecord bool
	record   string
	names    []string
	fields   []string
}

// each calls f with every value p stands for: several for {} of several
// arguments, none for a position past the last column.
func (v *values) each(p part, f func(string)) {
	switch {
	case p.field != "":
		for i, n := range v.names {
			if n == p.field {
				f(modify(v.fields[i], p.mod))
				return
			}
		}
	case v.isRecord: // {} of a record
		f(v.record)
	case p.index == 0:
		for _, a := range v.args {
			f(modify(a, p.mod))
		}
	case p.index > 0 && p.index <= len(v.args):
		f(modify(v.args[p.index-1], p.mod))
	case p.index < 0 && -p.index <= len(v.args):
		f(modify(v.args[len(v.args)+p.index], p.mod))
	default:
		f("") // a column the item does not have: empty, as in GNU parallel
	}
}

// appendShell appends the template as a shell command: every value
// shell-quoted, several values of {} separated by spaces, {%} read from
// the environment.
func (t *Template) appendShell(b []byte, v *values) []byte { return t.expand(b, v, true) }

// appendRaw appends the template with the values as they are, several
// values of {} separated by spaces: an argv element or an id (which have
// no {%}).
func (t *Template) appendRaw(b []byte, v *values) []byte { return t.expand(b, v, false) }

func (t *Template) expand(b []byte, v *values, shell bool) []byte {
	for _, p := range t.parts {
		switch p.kind {
		case partText:
			b = append(b, p.text...)
		case partSeq:
			b = p.separate(b, "1", shell)
			b = strconv.AppendInt(b, int64(v.seq), 10)
		case partSlot:
			b = append(b, slotReference[p.quote]...)
		case partValue:
			first := true
			v.each(p, func(s string) {
				if first {
					b = p.separate(b, s, shell)
				} else {
					b = append(b, ' ')
				}
				first = false
				if shell {
					b = appendQuotedFor(b, s, p.quote)
				} else {
					b = append(b, s...)
				}
			})
		}
	}
	return b
}

// slotReference is how {%} reads the slot from the environment, for each
// place it may stand.
var slotReference = [...]string{
	ctxBare:   `"$` + SlotVariable + `"`,
	ctxDouble: `${` + SlotVariable + `}`,
	ctxSingle: `'"$` + SlotVariable + `"'`,
}

// separate writes an empty pair of quotes before a value that would
// otherwise extend the $NAME written just before it ($x{} with the value
// "y" must not read $xy).
func (p part) separate(b []byte, value string, shell bool) []byte {
	if !shell || !p.afterName || value == "" || !isNameByte(value[0]) {
		return b
	}
	if p.quote == ctxDouble {
		return append(b, `""`...)
	}
	return append(b, `''`...)
}

// appendQuotedFor appends s quoted for where it stands: outside quotes in
// single quotes (a plain word as it is); inside the command's "…" with \,
// ", $ and backquote escaped; inside its '…' with each ' closed, escaped
// and reopened. Whatever the bytes, the shell reads s back.
func appendQuotedFor(b []byte, s string, q shellContext) []byte {
	switch q {
	case ctxDouble:
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '\\' || c == '"' || c == '$' || c == '`' {
				b = append(b, '\\')
			}
			b = append(b, s[i])
		}
		return b
	case ctxSingle:
		return appendSingleQuoted(b, s)
	}
	if s != "" && isPlainWord(s) {
		return append(b, s...)
	}
	b = append(b, '\'')
	return append(appendSingleQuoted(b, s), '\'')
}

// appendSingleQuoted appends s for the inside of '…': each ' closes the
// quotes, is escaped, and opens them again.
func appendSingleQuoted(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			return append(b, s...)
		}
		b = append(append(b, s[:i]...), `'\''`...)
		s = s[i+1:]
	}
}

// appendArgv appends the argv elements the template makes: one, or, for an
// element that is only {} (or {.} …) of several values, one per value, as
// the same template in a shell command gives several words.
func (t *Template) appendArgv(argv []string, v *values, buf []byte) ([]string, []byte) {
	if len(t.parts) == 1 && t.parts[0].kind == partValue && t.parts[0].index == 0 && t.parts[0].field == "" && !v.isRecord {
		v.each(t.parts[0], func(s string) { argv = append(argv, s) })
		return argv, buf
	}
	buf = t.appendRaw(buf[:0], v)
	return append(argv, string(buf)), buf
}

// QuoteShell quotes s for a POSIX shell: a word of letters, digits and
// _ . / : @ + - stays as it is; anything else is put in single quotes, each
// ' written as '\”. The shell reads the result back as s, whatever s holds
// ($(...), backquotes, ;, newlines), never as code.
func QuoteShell(s string) string { return string(appendQuoted(nil, s)) }

func appendQuoted(b []byte, s string) []byte { return appendQuotedFor(b, s, ctxBare) }

func isPlainWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == '/' || c == ':' || c == '@' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}
