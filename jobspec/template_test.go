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
		{src: `echo "{}"`, err: `column 7: {} is inside quotes (") of the command's own`},
		{src: `echo 'x {.}'`, err: `column 9: {.} is inside quotes (') of the command's own`},
		{src: `echo "a\"{}"`, err: `{} is inside quotes (")`},
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
