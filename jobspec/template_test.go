package jobspec

import (
	"strings"
	"testing"
)

// The expected values are what GNU parallel 20221122 prints for
// `parallel echo '<{.}>' ::: NAMES`, and so on.
func TestModifiersAsGNUParallel(t *testing.T) {
	names := []string{"file", "dir/file", "/abs/x", "./a", "dir.x/file", "a.tar.gz", ".hidden", "dir/.hidden", "a.", "dir/", "a/b/", "/", "", "a b"}
	want := map[modifier][]string{
		modNoExt:     {"file", "dir/file", "/abs/x", "./a", "dir.x/file", "a.tar", "", "dir/", "a", "dir/", "a/b/", "/", "", "a b"},
		modBase:      {"file", "file", "x", "a", "file", "a.tar.gz", ".hidden", ".hidden", "a.", "", "", "", "", "a b"},
		modDir:       {".", "dir", "/abs", ".", "dir.x", ".", ".", "dir", ".", ".", "a", "/", ".", "."},
		modBaseNoExt: {"file", "file", "x", "a", "file", "a.tar", "", "", "a", "", "", "", "", "a b"},
	}
	for m, outs := range want {
		for i, name := range names {
			if got := modify(name, m); got != outs[i] {
				t.Errorf("modifier %d of %q = %q, want %q", m, name, got, outs[i])
			}
		}
	}
}

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		src   string
		argv  bool
		parts []part // nil: text only
		err   string
		valid bool // parses; the parts are not compared
	}{
		{src: "gzip {}", parts: []part{{kind: partText, text: "gzip "}, {kind: partValue, text: "{}"}}},
		{src: "{1/.}-{2//}", parts: []part{{kind: partValue, text: "{1/.}", index: 1, mod: modBaseNoExt}, {kind: partText, text: "-"}, {kind: partValue, text: "{2//}", index: 2, mod: modDir}}},
		{src: "{#}{%}{name.}", parts: []part{{kind: partSeq, text: "{#}"}, {kind: partSlot, text: "{%}"}, {kind: partValue, text: "{name.}", field: "name", mod: modNoExt}}},
		{src: "echo ${HOME} \\{} {1..3} {a,b} awk '{print $1}'"},
		{src: `find . -exec rm \{} +`, argv: true, parts: []part{{kind: partText, text: "find . -exec rm {} +"}}},
		{src: "gzip {", err: `column 6: '{' is not closed`},
		{src: "echo {1", err: `column 6: '{' is not closed`},
		{src: "x {0}", err: "positions count from {1}"},
		{src: "x {01}", err: "positions count from {1}"},
		{src: "x {a.b}", err: "unknown replacement string {a.b}"},
		{src: "x {#1}", err: "unknown replacement string {#1}"},
		{src: "x {1x}", err: "{1x} is not a position"},
		{src: "echo {= s/a/b/ =}", err: `column 6: {= ... =} (a Perl expression in GNU parallel) is not supported`},
		{src: "echo {+.}", err: "column 6: {+.} (GNU parallel's) is not supported"},
		{src: "echo {+/}", argv: true, err: "{+/} (GNU parallel's) is not supported"},
		{src: "echo {..}", err: "{..} (GNU parallel's) is not supported"},
		{src: "echo {2...}", err: "{2...} (GNU parallel's) is not supported"},
		{src: `echo "{}"`, parts: []part{{kind: partText, text: `echo "`}, {kind: partValue, text: "{}", quote: ctxDouble}, {kind: partText, text: `"`}}},
		{src: `echo 'x {.}'`, parts: []part{{kind: partText, text: `echo 'x `}, {kind: partValue, text: "{.}", mod: modNoExt, quote: ctxSingle}, {kind: partText, text: `'`}}},
		{src: `echo "a\"{}"`, parts: []part{{kind: partText, text: `echo "a\"`}, {kind: partValue, text: "{}", quote: ctxDouble}, {kind: partText, text: `"`}}},
		{src: `echo "it's {}"`, parts: []part{{kind: partText, text: `echo "it's `}, {kind: partValue, text: "{}", quote: ctxDouble}, {kind: partText, text: `"`}}},
		{src: `echo $x{} "$y{}"`, parts: []part{{kind: partText, text: `echo $x`}, {kind: partValue, text: "{}", afterName: true}, {kind: partText, text: ` "$y`}, {kind: partValue, text: "{}", quote: ctxDouble, afterName: true}, {kind: partText, text: `"`}}},
		{src: "x {-1} {-2/.}", parts: []part{{kind: partText, text: "x "}, {kind: partValue, text: "{-1}", index: -1}, {kind: partText, text: " "}, {kind: partValue, text: "{-2/.}", index: -2, mod: modBaseNoExt}}},
		{src: "x {-0}", err: "{-0} is not a position from the last"},
		{src: "x {-}", err: "{-} is not a position from the last"},
		{src: "x {0#}", err: "column 3: {0#} (GNU parallel's zero-padded {#}) is not supported"},
		{src: "x {00%}", err: "{00%} (GNU parallel's zero-padded {%}) is not supported"},
		{src: "x {=s/}/X/=}", err: "column 3: {= ... =} (a Perl expression in GNU parallel) is not supported"},
		{src: "cat <<EOF\n{}\nEOF", err: "column 11: {} stands in a here-document"},
		{src: "cat <<'EOF'\n{}\nEOF", err: "column 13: {} stands in a here-document"},
		{src: "cat <<-EOF\n\tx {}\n\tEOF", err: "column 15: {} stands in a here-document"},
		{src: "cat <<{}\n{}", err: "column 7: {} stands in a here-document"},
		{src: "cat <<EOF\nhi\n", err: "column 5: the here-document is not ended by a line EOF"},
		{src: "echo $(echo {})", err: "column 13: {} stands inside $(…)"},
		{src: `echo "$(echo {})"`, err: "column 14: {} stands inside $(…)"},
		{src: "echo `echo {}`", err: "column 12: {} stands inside backquotes"},
		{src: `echo "x` + "`{}`" + `"`, err: "{} stands inside backquotes"},
		{src: "echo ${x:-{}}", err: "column 11: {} stands inside ${…}"},
		{src: "echo $(( {} + 1 ))", err: "{} stands inside arithmetic"},
		{src: "(( {} ))", err: "{} stands inside arithmetic"},
		{src: "echo $[{}]", err: "{} stands inside arithmetic"},
		{src: "echo $'{}'", err: "{} stands inside $'…'"},
		{src: "echo hi # {}", err: "column 11: {} stands in a comment"},
		{src: "echo hi #{}\necho {}", err: "column 10: {} stands in a comment"},
		{src: "echo $(case x in a) echo;; esac) {}", err: "{} stands after a construct drover cannot follow"},
		{src: `echo "${x:-'}'}" {}`, err: "{} stands after a construct drover cannot follow"},
		{src: "echo '{}", err: "column 6: the quote ' is not closed"},
		{src: `echo "{}`, err: `column 6: the quote " is not closed`},
		{src: "echo $(date {}", err: "column 6: $( opened here is not closed"},
		{src: "echo `date", err: "column 6: ` opened here is not closed"},
		{src: "printf %s $(date) \"$(date)\" `date` ${x} $((1)) a#b {} '{}' \"{}\" # x\necho {}", valid: true},
		{src: "cat <<EOF\nhi\nEOF\necho {} <<<x; cat <<-'E' <<F\n\tE\nF\n{}", valid: true},
		{src: "echo {#} $(seq {#}) `echo {#}`", valid: true},
		{src: `echo \"{}`, parts: []part{{kind: partText, text: `echo \"`}, {kind: partValue, text: "{}"}}},
		{src: `awk '{print $1}' {}`, parts: []part{{kind: partText, text: `awk '{print $1}' `}, {kind: partValue, text: "{}"}}},
		{src: `sh -c 'echo "$1"' - {}`, parts: []part{{kind: partText, text: `sh -c 'echo "$1"' - `}, {kind: partValue, text: "{}"}}},
		{src: "echo {1..10} {a..z} {=} \\{= x =}"},
	}
	for _, tc := range tests {
		tm, err := ParseTemplate(tc.src, tc.argv)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTemplate(%q) error = %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tc.src, err)
			continue
		}
		if tc.valid {
			continue
		}
		want := tc.parts
		if want == nil {
			want = []part{{kind: partText, text: tc.src}}
		}
		if len(tm.parts) != len(want) {
			t.Errorf("ParseTemplate(%q) = %+v, want %+v", tc.src, tm.parts, want)
			continue
		}
		for i := range want {
			if tm.parts[i] != want[i] {
				t.Errorf("ParseTemplate(%q) part %d = %+v, want %+v", tc.src, i, tm.parts[i], want[i])
			}
		}
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		src   string
		words []string
		err   string
	}{
		{src: `convert {} {.}.png`, words: []string{"convert", "{}", "{.}.png"}},
		{src: ` a  'b c' "d \"e\" \$f" g\ h \{} `, words: []string{"a", "b c", `d "e" $f`, "g h", `\{}`}},
		{src: `a''b ""`, words: []string{"ab", ""}},
		{src: `echo 'x`, err: "the quote ' is not closed"},
		{src: `echo "x`, err: `the quote " is not closed`},
		{src: `gzip {} > out`, err: `'>' means something to a shell`},
		{src: `echo $HOME`, err: `'$' means something to a shell`},
		{src: `  `, err: "no words"},
	}
	for _, tc := range tests {
		words, err := splitWords(tc.src)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("splitWords(%q) error = %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(words, "|") != strings.Join(tc.words, "|") || len(words) != len(tc.words) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", tc.src, words, err, tc.words)
		}
	}
}
