package jobspec

import (
	"os/exec"
	"strings"
	"testing"
)

// hostileValues are values that break naive quoting, then pseudo-random
// strings over every byte but NUL, weighted towards the bytes that mean
// something to a shell.
func hostileValues() []string {
	values := []string{"", "plain", "a b", "a'b;c", "$(touch pwned).txt", "`touch x`", "'", "''", `\`, `\'`, `\"`, `"`,
		"a\nb", "\t", "-rf", "~", "~root", "*", "?", "[a]", "{a,b}", "${HOME}", "$HOME", "$", "!", "!!", "#x", "a#b", "x=y",
		"%1", "&", "|", ";", "<", ">", "(", ")", "é", "\x01\x7f", "\xff\xfe", "\\\n", "EOF", "\nEOF\n$(touch pwned)\n",
		"'\"'\"'", "\"$(touch pwned)\"", "'$(touch pwned)'", strings.Repeat("'a", 100), "$'\\x41'", "$((1+1))"}
	alphabet := "ab '\"\\$`;&|<>(){}[]*?~!#=%\n\t-"
	seed := uint32(1)
	rand := func() uint32 {
		seed = seed*1664525 + 1013904223
		return seed >> 16
	}
	for i := 0; i < 300; i++ {
		var b strings.Builder
		for n := int(rand() % 12); n >= 0; n-- {
			if r := rand(); r%4 == 0 {
				b.WriteByte(byte(1 + r/4%255))
			} else {
				b.WriteByte(alphabet[r%uint32(len(alphabet))])
			}
		}
		values = append(values, b.String())
	}
	return values
}

// Every value reaches the command exactly, whether its replacement string
// stands outside quotes, inside the template's double quotes or inside its
// single quotes, in dash and in bash.
func TestValuesReachTheCommandExactly(t *testing.T) {
	templates := []struct{ src, want string }{
		{`printf '%s\0' {}`, "V"},
		{`printf '%s\0' "{}"`, "V"},
		{`printf '%s\0' '{}'`, "V"},
		{`printf '%s\0' x{}y`, "xVy"},
		{`printf '%s\0' "<{}>"`, "<V>"},
		{`printf '%s\0' '<{}>'`, "<V>"},
		{`printf '%s\0' "it's {}"`, "it's V"},
		{`printf '%s\0' 'say "{}" \'`, `say "V" \`},
		{`x=abc; printf '%s\0' $x{} "$x{}" '$x{}'`, "abcV\x00abcV\x00$xV"},
		{`printf '%s\0' "$(echo a)"{}"$(echo b)" "${HOME+set}{}"`, "aVb\x00setV"},
		{"printf '%s\\0' {} \"{}\" '{}' <<EOF # a comment\nhere\nEOF", "V\x00V\x00V"},
		{`printf '%s\0' "{#}{}{#}"`, "1V1"},
	}
	vals := hostileValues()
	for _, shell := range []string{"dash", "bash"} {
		path, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("no %s: skipped", shell)
			continue
		}
		for _, tc := range templates {
			tm, err := ParseTemplate(tc.src, false)
			if err != nil {
				t.Fatalf("ParseTemplate(%q): %v", tc.src, err)
			}
			var script strings.Builder
			for _, v := range vals {
				script.Write(tm.appendShell(nil, &values{seq: 1, args: []string{v}}))
				script.WriteString("\n")
			}
			out, err := exec.Command(path, "-c", script.String()).Output()
			if err != nil {
				t.Fatalf("%s with %q: %v", shell, tc.src, err)
			}
			got := strings.Split(string(out), "\x00")
			n := strings.Count(tc.want, "\x00") + 1
			if len(got) != len(vals)*n+1 {
				t.Fatalf("%s with %q: %d values printed, want %d", shell, tc.src, len(got)-1, len(vals)*n)
			}
			for i, v := range vals {
				want := strings.Split(strings.ReplaceAll(tc.want, "V", v), "\x00")
				for k := range want {
					if g := got[i*n+k]; g != want[k] {
						t.Errorf("%s: %q with %q gives %q; the command got %q", shell, tc.src, v, tm.appendShell(nil, &values{seq: 1, args: []string{v}}), g)
					}
				}
			}
		}
	}
}
