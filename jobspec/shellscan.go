package jobspec

import (
	"fmt"
	"strings"
)

// shellContext is where a byte of a shell command template stands as a
// POSIX shell (dash, bash) reads it: how a value put there must be quoted,
// or why no value may go there.
type shellContext uint8

const (
	ctxBare      shellContext = iota // outside quotes
	ctxDouble                        // inside "…"
	ctxSingle                        // inside '…'
	ctxCmdSub                        // inside $(…)
	ctxBackquote                     // inside `…`
	ctxArith                         // inside $((…)), ((…)) or $[…]
	ctxParam                         // inside ${…}
	ctxANSI                          // inside $'…'
	ctxHeredoc                       // in a here-document or its delimiter
	ctxComment                       // in a comment
	ctxUnknown                       // after a construct drover cannot follow
)

// where says, for a message, where a replacement string no value may fill
// stands, and why.
var where = [...]string{
	ctxCmdSub:    "inside $(…), whose quoting drover does not follow",
	ctxBackquote: "inside backquotes, where the shell reads backslashes and quotes once more",
	ctxArith:     "inside arithmetic ($((…)), ((…)) or $[…]), where bash evaluates the value",
	ctxParam:     "inside ${…}, which dash and bash quote differently",
	ctxANSI:      "inside $'…', where bash reads backslashes in the value",
	ctxHeredoc:   "in a here-document, whose text the shell expands or ends at the value's lines",
	ctxComment:   "in a comment, which a newline in the value would end",
	ctxUnknown:   "after a construct drover cannot follow (a case inside $(…), a ' inside \"${…}\", a continued line of a here-document)",
}

// frameKind is a construct of the shell that is open while scanning.
type frameKind uint8

const (
	frameTop     frameKind = iota // the command itself
	frameSub                      // ( … )
	frameCmdSub                   // $( … )
	frameArith                    // $(( … )) or (( … ))
	frameBracket                  // $[ … ]
	frameParam                    // ${ … }
	frameBackq                    // ` … `
	frameDouble                   // " … "
	frameSingle                   // ' … '
	frameANSI                     // $' … '
)

// opener is how each construct is written, for messages.
var opener = [...]string{frameSub: "(", frameCmdSub: "$(", frameArith: "((", frameBracket: "$[", frameParam: "${",
	frameBackq: "`", frameDouble: `"`, frameSingle: "'", frameANSI: "$'"}

type frame struct {
	kind  frameKind
	at    int // the index it opened at
	depth int // parentheses or brackets open inside it
}

// heredoc is a here-document whose body has yet to come.
type heredoc struct {
	delim  string
	strip  bool // <<-: leading tabs are removed
	quoted bool // the delimiter was quoted: the body is not expanded
	at     int  // the index of <<
	depth  int  // the frames open at <<
}

// shellScan follows a shell command's quoting and nesting, byte by byte.
type shellScan struct {
	s       string
	ctx     []shellContext
	stack   []frame
	pending []heredoc
	unknown bool // a construct drover cannot follow was met
}

// scanShell returns the context of every byte of a shell command, or an
// error naming the column of a quote, a substitution or a here-document
// that the command leaves open: the shell would fail on it, and a value
// written after it would not be where drover thinks.
func scanShell(s string) ([]shellContext, error) {
	sc := &shellScan{s: s, ctx: make([]shellContext, len(s)), stack: []frame{{kind: frameTop}}}
	for i := 0; i < len(s); {
		next, err := sc.step(i)
		if err != nil {
			return nil, err
		}
		i = next
	}
	if top := sc.top(); top.kind != frameTop && !sc.unknown {
		what := "the quote " + opener[top.kind]
		if top.kind != frameDouble && top.kind != frameSingle {
			what = opener[top.kind] + " opened here"
		}
		return nil, &TemplateError{s, top.at + 1, what + " is not closed"}
	}
	if len(sc.pending) > 0 {
		h := sc.pending[0]
		return nil, &TemplateError{s, h.at + 1, fmt.Sprintf("the here-document is not ended by a line %q", h.delim)}
	}
	return sc.ctx, nil
}

func (sc *shellScan) top() *frame { return &sc.stack[len(sc.stack)-1] }

func (sc *shellScan) push(k frameKind, at int) { sc.stack = append(sc.stack, frame{kind: k, at: at}) }

func (sc *shellScan) pop() { sc.stack = sc.stack[:len(sc.stack)-1] }

// current is the context of the next byte: the outermost construct that
// forbids values, else the quote open.
func (sc *shellScan) current() shellContext {
	if sc.unknown {
		return ctxUnknown
	}
	for _, f := range sc.stack {
		switch f.kind {
		case frameCmdSub:
			return ctxCmdSub
		case frameBackq:
			return ctxBackquote
		case frameArith, frameBracket:
			return ctxArith
		case frameParam:
			return ctxParam
		case frameANSI:
			return ctxANSI
		}
	}
	switch sc.top().kind {
	case frameDouble:
		return ctxDouble
	case frameSingle:
		return ctxSingle
	}
	return ctxBare
}

// mark gives bytes [i, j) the context c and returns j.
func (sc *shellScan) mark(i, j int, c shellContext) int {
	j = min(j, len(sc.s))
	for k := i; k < j; k++ {
		sc.ctx[k] = c
	}
	return j
}

// step reads the construct at i and returns the index after it.
func (sc *shellScan) step(i int) (int, error) {
	c := sc.current()
	sc.ctx[i] = c
	s := sc.s
	switch sc.top().kind {
	case frameSingle:
		if s[i] == '\'' {
			sc.pop()
		}
		return i + 1, nil
	case frameANSI:
		switch s[i] {
		case '\\':
			return sc.mark(i, i+2, c), nil
		case '\'':
			sc.pop()
		}
		return i + 1, nil
	case frameBackq:
		switch s[i] {
		case '\\':
			return sc.mark(i, i+2, c), nil
		case '`':
			sc.pop()
		}
		return i + 1, nil
	case frameDouble:
		if s[i] == '"' {
			sc.pop()
			return i + 1, nil
		}
		return sc.inDouble(i, c), nil
	case frameParam:
		return sc.inParam(i, c), nil
	case frameArith, frameBracket:
		return sc.inArith(i, c), nil
	}
	return sc.inCommand(i, c)
}

// dollar opens the substitution that starts at i ($(, $((, ${, $[), and
// reports whether there was one.
func (sc *shellScan) dollar(i int, c shellContext) (int, bool) {
	s := sc.s
	if s[i] == '`' {
		sc.push(frameBackq, i)
		return i + 1, true
	}
	if s[i] != '$' || i+1 == len(s) {
		return i, false
	}
	switch s[i+1] {
	case '(':
		if strings.HasPrefix(s[i:], "$((") {
			sc.push(frameArith, i)
			return sc.mark(i, i+3, c), true
		}
		sc.push(frameCmdSub, i)
	case '{':
		sc.push(frameParam, i)
	case '[':
		sc.push(frameBracket, i)
	default:
		return i, false
	}
	return sc.mark(i, i+2, c), true
}

func (sc *shellScan) inDouble(i int, c shellContext) int {
	if sc.s[i] == '\\' {
		return sc.mark(i, i+2, c)
	}
	if j, ok := sc.dollar(i, c); ok {
		return j
	}
	return i + 1
}

// inParam reads ${…}: it ends at the first '}' outside quotes. Single
// quotes in it, when it is inside double quotes, are quotes to bash and
// text to dash: drover cannot follow it then.
func (sc *shellScan) inParam(i int, c shellContext) int {
	s := sc.s
	switch s[i] {
	case '}':
		sc.pop()
		return i + 1
	case '\\':
		return sc.mark(i, i+2, c)
	case '"':
		sc.push(frameDouble, i)
		return i + 1
	case '\'':
		if sc.stack[len(sc.stack)-2].kind == frameDouble {
			sc.unknown = true
			return i + 1
		}
		sc.push(frameSingle, i)
		return i + 1
	}
	if j, ok := sc.dollar(i, c); ok {
		return j
	}
	return i + 1
}

// inArith reads arithmetic: $((…)) and ((…)) end at a "))" outside the
// parentheses opened in them, $[…] at a ']' outside the brackets.
func (sc *shellScan) inArith(i int, c shellContext) int {
	s, f := sc.s, sc.top()
	open, close := byte('('), byte(')')
	if f.kind == frameBracket {
		open, close = '[', ']'
	}
	switch {
	case s[i] == open:
		f.depth++
	case s[i] == close && f.depth > 0:
		f.depth--
	case s[i] == close && f.kind == frameBracket:
		sc.pop()
	case s[i] == close && strings.HasPrefix(s[i:], "))"):
		sc.pop()
		return sc.mark(i, i+2, c)
	case s[i] == close:
		sc.unknown = true // a lone ')' ends $(( as a $( ( … ) … ) would
	case s[i] == '\\':
		return sc.mark(i, i+2, c)
	case s[i] == '"':
		sc.push(frameDouble, i)
	case s[i] == '\'':
		sc.push(frameSingle, i)
	default:
		if j, ok := sc.dollar(i, c); ok {
			return j
		}
	}
	return i + 1
}
