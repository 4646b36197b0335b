package jobspec

import (
	"io"
	"os/exec"
	"strings"
	"testing"
)

// templated decodes input with a template and returns each job as
// "ID=command" (argv elements joined by "|") and the errors' messages.
func templated(t *testing.T, o TemplateOptions, input string) (jobs []string, errs []string) {
	t.Helper()
	tm, err := NewJobTemplate(o)
	if err != nil {
		t.Fatalf("NewJobTemplate: %v", err)
	}
	format := FormatLines
	if o.Records {
		format = FormatNDJSON
		if strings.HasPrefix(input, "[") {
			format = FormatJSON
		}
	}
	got, errs := decodeAll(t, input, Options{Format: format, Template: tm})
	for _, j := range got {
		jobs = append(jobs, j.ID+"="+strings.Join(j.Argv, "|"))
		if j.Shell != tm.Shell() {
			t.Errorf("job %s: Shell = %v", j.ID, j.Shell)
		}
	}
	return jobs, errs
}

func TestTemplatedJobs(t *testing.T) {
	tests := []struct {
		name  string
		opts  TemplateOptions
		input string
		jobs  []string
		errs  []string
	}{
		{"appends {}", TemplateOptions{Command: "gzip -9", Input: true}, "a.txt\nb c\n",
			[]string{"1=gzip -9 a.txt", "2=gzip -9 'b c'"}, nil},
		{"replacement strings", TemplateOptions{Command: "convert {} {.}.png {/} {//} {/.} {#} {%}", Input: true}, "dir/a.jpg\n",
			[]string{`1=convert dir/a.jpg dir/a.png a.jpg dir a 1 "$DROVER_JOB_SLOT"`}, nil},
		{"{#} alone appends nothing", TemplateOptions{Command: "echo {#}", Input: true}, "x\n", []string{"1=echo 1"}, nil},
		{"hostile names stay arguments", TemplateOptions{Command: "rm {}", Input: true}, "$(touch pwned).txt\na'b;c\n`x`\n",
			[]string{`1=rm '$(touch pwned).txt'`, `2=rm 'a'\''b;c'`, "3=rm '`x`'"}, nil},
		{"empty lines are empty items", TemplateOptions{Command: "echo", Input: true}, "a\n\n# not a comment\r\n",
			[]string{"1=echo a", "2=echo ''", "3=echo '# not a comment'"}, nil},
		{"NUL-separated", TemplateOptions{Command: "ls", Input: true, Null: true}, "a\nb\x00c d\x00e",
			[]string{"1=ls 'a\nb'", "2=ls 'c d'", "3=ls e"}, nil},
		{"a NUL in a line", TemplateOptions{Command: "ls", Input: true}, "a\nb\x00c\nd\n",
			[]string{"1=ls a", "3=ls d"}, []string{"jobs:2: the item contains a NUL byte, which no command can take (use -0 for NUL-separated items)"}},
		{"bytes of any kind", TemplateOptions{Command: "ls", Input: true}, "\xff.txt\n", []string{"1=ls '\xff.txt'"}, nil},
		{"UTF-8 only", TemplateOptions{Command: "ls", Input: true, RequireUTF8: true}, "\xff.txt\nok\n", []string{"2=ls ok"},
			[]string{"jobs:1: the command is not valid UTF-8, and jobs sent to workers must be"}},
		{"colsep", TemplateOptions{Command: "cp {1} {2}.bak {3}", Input: true, ColSep: `\s*,\s*`}, "a , b\nc\n",
			[]string{"1=cp a b.bak ''", "2=cp c ''.bak ''"}, nil},
		{"{} of several columns", TemplateOptions{Command: "echo", Input: true, ColSep: "\t"}, "a b\tc\n",
			[]string{"1=echo 'a b' c"}, nil},
		{"columns are trimmed", TemplateOptions{Command: "echo {1}.{2}.{-1}", Input: true, ColSep: ","}, " a , b\t\n,c \n",
			[]string{"1=echo a.b.b", "2=echo ''.c.c"}, nil},
		{"link items and lists, the lists wrapping", TemplateOptions{Command: "echo {1}{2}{3}", Input: true, Link: true, Lists: [][]string{{"1", "2"}, {"x"}}},
			"a\nb\nc\n", []string{"1=echo a1x", "2=echo b2x", "3=echo c1x"}, nil},
		{"link items and lists, the items wrapping", TemplateOptions{Command: "echo {1}{2}", Input: true, Link: true, Lists: [][]string{{"1", "2", "3"}}},
			"a\nb\n", []string{"1=echo a1", "2=echo b2", "3=echo a3"}, nil},
		{"link with an empty list", TemplateOptions{Command: "echo", Input: true, Link: true, Lists: [][]string{{}}}, "a\n", nil, nil},
		{"{-N} counts from the last value", TemplateOptions{Command: "echo {-1} {-2/.} {-1.}", Input: true, Lists: [][]string{{"c.z"}}},
			"d/a.x\n", []string{"1=echo c.z a c"}, nil},
		{"argv", TemplateOptions{Command: "convert {} {.}.png", Argv: true, Input: true}, "my pic.jpg\n$(x)\n",
			[]string{"1=convert|my pic.jpg|my pic.png", "2=convert|$(x)|$(x).png"}, nil},
		{"argv array form", TemplateOptions{Command: `["sh","-c","echo \"$1\"","-","{}"]`, Input: true}, "a b\n",
			[]string{`1=sh|-c|echo "$1"|-|a b`}, nil},
		{"argv appends one element per column", TemplateOptions{Command: "echo", Argv: true, Input: true, ColSep: ","}, "a,b c\n",
			[]string{"1=echo|a|b c"}, nil},
		{"ids from a template", TemplateOptions{Command: "gzip {}", ID: "{/.}", Input: true}, "a/x.txt\nb/y.txt\nc/x.log\n",
			[]string{"x=gzip a/x.txt", "y=gzip b/y.txt"}, []string{`jobs:3: id "x" is already the id of job 1`}},
		{"an id that is not one", TemplateOptions{Command: "gzip {}", ID: "{}", Input: true}, "a\n\n",
			[]string{"a=gzip a"}, []string{`jobs:2: --id "{}" gives the id "", which must not be empty`}},
		{"input × list", TemplateOptions{Command: "resize {1} {2}", Input: true, Lists: [][]string{{"50%", "100%"}}}, "a\nb\n",
			[]string{"1=resize a '50%'", "2=resize a '100%'", "3=resize b '50%'", "4=resize b '100%'"}, nil},
		{"records", TemplateOptions{Command: "deploy {host} --port {port} {}", Records: true},
			"{\"host\":\"a b\",\"port\":80,\"x\":[1]}\n\n{\"port\":1,\"host\":\"c\"}\n",
			[]string{`1=deploy 'a b' --port 80 '{"host":"a b","port":80,"x":[1]}'`, `2=deploy c --port 1 '{"port":1,"host":"c"}'`}, nil},
		{"records in an array", TemplateOptions{Command: "echo {name.}", Records: true, ID: "{name}"}, `[{"name":"x.txt"},{"name":"y.txt"}]`,
			[]string{"x.txt=echo x", "y.txt=echo y"}, nil},
		{"argv records", TemplateOptions{Command: "jq -n", Argv: true, Records: true}, `{"a": 1}`,
			[]string{`1=jq|-n|{"a": 1}`}, nil},
		{"bad records", TemplateOptions{Command: "echo {a}", Records: true},
			"{\"b\":1}\n[1]\n{\"a\":null}\n{\"a\":1,\"a\":2}\n{\"a\":\n{\"a\":\"\\u0000\"}\n{\"a\":\"ok\"}\n",
			[]string{"7=echo ok"}, []string{
				`jobs:1: the record has no field "a", which {a} needs`,
				"jobs:2: a record must be a JSON object, not an array",
				`jobs:3: field "a" is null; {a} needs a value`,
				`jobs:4: field "a" is given twice`,
				"jobs:5: invalid JSON: unexpected end of JSON input",
				"jobs:6: a value contains a NUL byte, which no command can take",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			jobs, errs := templated(t, tc.opts, tc.input)
			if strings.Join(jobs, "\n") != strings.Join(tc.jobs, "\n") {
				t.Errorf("jobs:\n%s\nwant:\n%s", strings.Join(jobs, "\n"), strings.Join(tc.jobs, "\n"))
			}
			if strings.Join(errs, "\n") != strings.Join(tc.errs, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(tc.errs, "\n"))
			}
		})
	}
}

func TestArgumentLists(t *testing.T) {
	tests := []struct {
		name string
		opts TemplateOptions
		jobs []string
	}{
		{"one list", TemplateOptions{Command: "gzip", Lists: [][]string{{"a", "b c"}}}, []string{"1=gzip a", "2=gzip 'b c'"}},
		{"product, the first list slowest", TemplateOptions{Command: "echo {2}{1}", Lists: [][]string{{"a", "b"}, {"1", "2", "3"}}},
			[]string{"1=echo 1a", "2=echo 2a", "3=echo 3a", "4=echo 1b", "5=echo 2b", "6=echo 3b"}},
		{"{} of several lists", TemplateOptions{Command: "echo", Lists: [][]string{{"a"}, {"x y"}}}, []string{"1=echo a 'x y'"}},
		{"link wraps the shorter", TemplateOptions{Command: "echo {1}{2}", Link: true, Lists: [][]string{{"a", "b", "c"}, {"1", "2"}}},
			[]string{"1=echo a1", "2=echo b2", "3=echo c1"}},
		{"an empty list", TemplateOptions{Command: "echo", Lists: [][]string{{"a"}, {}}}, nil},
		{"colsep splits list items", TemplateOptions{Command: "echo {2}", ColSep: ",", Lists: [][]string{{"a,b", "c,d"}}}, []string{"1=echo b", "2=echo d"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := NewJobTemplate(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, errs := decodeAll(t, "", Options{Template: tm})
			var jobs []string
			for _, j := range got {
				jobs = append(jobs, j.ID+"="+strings.Join(j.Argv, "|"))
				if j.Record.File != ArgsName || j.Record.Line != j.Seq {
					t.Errorf("job %s: position %s", j.ID, j.Record)
				}
			}
			if strings.Join(jobs, "\n") != strings.Join(tc.jobs, "\n") || errs != nil {
				t.Errorf("jobs:\n%s\nerrors: %q\nwant:\n%s", strings.Join(jobs, "\n"), errs, strings.Join(tc.jobs, "\n"))
			}
		})
	}
}

func TestJobTemplateErrors(t *testing.T) {
	tests := []struct {
		opts TemplateOptions
		err  string
	}{
		{TemplateOptions{Command: " ", Input: true}, "the command template is empty"},
		{TemplateOptions{Command: "echo {foo}", Input: true}, `"echo {foo}": {foo} names a field of a JSON record`},
		{TemplateOptions{Command: "echo {2}", Input: true}, `"echo {2}": {2}, but there is 1 source of values (--colsep splits items into columns)`},
		{TemplateOptions{Command: "echo {3}", Lists: [][]string{{"a"}, {"b"}}}, "there are 2 sources of values"},
		{TemplateOptions{Command: "echo {1}", Records: true}, "{1} is for items"},
		{TemplateOptions{Command: "echo {.}", Records: true}, "{.} is for items"},
		{TemplateOptions{Command: "echo", Records: true, Null: true}, "cannot be combined"},
		{TemplateOptions{Command: "echo {-2}", Input: true}, `"echo {-2}": {-2}, but there is 1 source of values`},
		{TemplateOptions{Command: "echo {-1}", Records: true}, "{-1} is for items"},
		{TemplateOptions{Command: "echo", Null: true, Lists: [][]string{{"a"}}}, "-0 says how FILE or stdin is split"},
		{TemplateOptions{Command: "echo", Input: true, ID: "{%}"}, "{%} is the slot, which is only known when the job starts"},
		{TemplateOptions{Command: "echo", Input: true, ID: "x{"}, `--id "x{", column 2: '{' is not closed`},
		{TemplateOptions{Command: "echo {%}", Argv: true, Input: true}, `"echo {%}": {%} (the slot) needs a shell command`},
		{TemplateOptions{Command: "echo", Input: true, ColSep: "("}, "--colsep: error parsing regexp"},
		{TemplateOptions{Command: "[]", Input: true}, "empty array"},
		{TemplateOptions{Command: "[1]", Argv: true, Input: true}, "must be an array of strings"},
		{TemplateOptions{Command: `["echo", 1]`, Input: true}, `--cmd "[\"echo\", 1]": an argv template given as JSON must be an array of strings`},
	}
	for _, tc := range tests {
		_, err := NewJobTemplate(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("NewJobTemplate(%+v) error = %v, want %q", tc.opts, err, tc.err)
		}
	}
}

// A shell reads every quoted value back as the value, whatever it holds.
func TestQuoteShellRoundTrip(t *testing.T) {
	values := []string{"", "plain", "a b", "a'b;c", "$(touch pwned).txt", "`touch x`", "'", "''", `\`, `\'`,
		"a\nb", "\t", "-rf", "~", "*", "?", "[a]", "{a,b}", "${HOME}", "$HOME", "!", "#x", "a#b", "x=y", "%1",
		"\"", "&", "|", ";", "<", ">", "(", ")", "é", "\x01\x7f", "\xff\xfe", strings.Repeat("'a", 100)}
	// Pseudo-random strings over the bytes that matter to a shell.
	alphabet := "ab '\"\\$`;&|<>(){}[]*?~!#=%\n\t-"
	seed := uint32(1)
	for i := 0; i < 300; i++ {
		var b strings.Builder
		for n := int(seed % 12); n >= 0; n-- {
			seed = seed*1664525 + 1013904223
			b.WriteByte(alphabet[(seed>>16)%uint32(len(alphabet))])
		}
		values = append(values, b.String())
	}
	var script strings.Builder
	script.WriteString("printf '%s\\0'")
	for _, v := range values {
		script.WriteString(" " + QuoteShell(v))
	}
	out, err := exec.Command("/bin/sh", "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(got) != len(values) {
		t.Fatalf("sh printed %d values, want %d", len(got), len(values))
	}
	for i, v := range values {
		if got[i] != v {
			t.Errorf("QuoteShell(%q) = %s; sh reads it as %q", v, QuoteShell(v), got[i])
		}
	}
}

// A job is built as soon as its item is read: the decoder does not wait
// for the input to end.
func TestTemplatedInputStaysAStream(t *testing.T) {
	tm, err := NewJobTemplate(TemplateOptions{Command: "gzip", Input: true, Lists: [][]string{{"-1", "-9"}}})
	if err != nil {
		t.Fatal(err)
	}
	r, w := io.Pipe()
	defer w.Close()
	d := NewDecoder(r, "<stdin>", Options{Template: tm})
	defer d.Close()
	go w.Write([]byte("a.txt\n"))
	for _, want := range []string{"gzip a.txt -1", "gzip a.txt -9"} {
		job, err := d.Next()
		if err != nil || job.Argv[0] != want {
			t.Fatalf("Next = %v, %v; want %q", job, err, want)
		}
	}
}

func FuzzTemplate(f *testing.F) {
	f.Add("gzip {} {.} {1//} {#}", "a/b.c")
	f.Add("x {", "")
	f.Add("${a} \\{} {1..2} {name} {0}", "\x00")
	f.Add("echo {a} {}", `{"a":"x"}`+"\n"+`{"a":1,"a":2}`)
	f.Fuzz(func(t *testing.T, cmd, item string) {
		for _, argv := range []bool{false, true} {
			tm, err := NewJobTemplate(TemplateOptions{Command: cmd, Argv: argv, Input: true, ColSep: ","})
			if err != nil {
				continue
			}
			d := NewDecoder(strings.NewReader(item), "f", Options{Template: tm})
			for i := 0; i < 10; i++ {
				if _, err := d.Next(); err == io.EOF {
					break
				}
			}
			d.Close()
		}
		if tm, err := NewJobTemplate(TemplateOptions{Command: cmd, Records: true}); err == nil {
			d := NewDecoder(strings.NewReader(item), "f", Options{Format: FormatNDJSON, Template: tm})
			for i := 0; i < 10; i++ {
				if _, err := d.Next(); err == io.EOF {
					break
				}
			}
			d.Close()
		}
	})
}
