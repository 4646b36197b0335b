package jobspec

import (
	"os"
	"os/exec"
	"path/filepath"
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

// No template makes the scan panic, and every replacement string it lets
// through stands outside quotes or inside the template's own.
func FuzzShellTemplate(f *testing.F) {
	for _, s := range []string{"echo {}", `echo "{}" '{}'`, "cat <<EOF\n{}\nEOF", "echo $(echo {})", "echo ${x:-{}}",
		"a <<-'E' <<F\n\tE\nF\n{}", "$(( (1) )) {}", "x # {}\n{}", `"${x:-'}'}"`, "$(case a in a) ;; esac) {}", "`a\\`b` {}", "$'\\'{}'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTemplate(s, false)
		if err != nil {
			return
		}
		for _, p := range tm.parts {
			if p.kind == partValue && p.quote > ctxSingle {
				t.Fatalf("%q: %s stands in context %d", s, p.text, p.quote)
			}
		}
	})
}

// Random templates built from the shell's constructs: whichever parse, a
// value that tries every way out of its quotes runs nothing in dash or in
// bash (no file named P appears).
func TestNoTemplateRunsTheValue(t *testing.T) {
	tokens := []string{"printf '%s\\n' ", "{}", "{}", "{}", `"`, `'`, `"{}"`, `'{}'`, "$(echo ", ")", "`", "${x:-", "}",
		"cat <<EOF\n", "\nEOF\n", "cat <<'E'\n", "\nE\n", " # c", "\n", ";", " ", `\`, "$", "(", ")", "$((1+", "))",
		"case a in a) ", ";; esac", "x", "&& ", "|| ", "{#}", "$'", "<<<", "echo ", "$x", "\t", "=", "[[ ", " ]]"}
	value := "$(touch P)`touch P`'\"';touch P;'\"\\\nEOF\nE\ntouch P\n>P\n$((P=1))${P:=$(touch P)}"
	dir := t.TempDir()
	seed := uint32(7)
	rand := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>16) % n
	}
	tried := 0
	for i := 0; i < 3000 && tried < 300; i++ {
		var b strings.Builder
		for n := 2 + rand(8); n > 0; n-- {
			b.WriteString(tokens[rand(len(tokens))])
		}
		tm, err := ParseTemplate(b.String(), false)
		if err != nil || !tm.hasReplacement() {
			continue
		}
		tried++
		cmd := string(tm.appendShell(nil, &values{seq: 1, args: []string{value}}))
		for _, shell := range []string{"dash", "bash"} {
			path, err := exec.LookPath(shell)
			if err != nil {
				continue
			}
			c := exec.Command(path, "-c", cmd)
			c.Dir = dir
			c.Run() // syntax errors and failures are fine; running the value is not
			if _, err := os.Stat(filepath.Join(dir, "P")); err == nil {
				t.Fatalf("%s ran the value: template %q gave\n%s", shell, b.String(), cmd)
			}
		}
	}
	if tried < 100 {
		t.Fatalf("only %d random templates parsed", tried)
	}
}
