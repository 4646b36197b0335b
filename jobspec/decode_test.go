package jobspec

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// decodeAll reads every record, returning the jobs and the messages of the
// errors, as validate would report them.
func decodeAll(t *testing.T, input string, opts Options) ([]*Job, []string) {
	t.Helper()
	d := NewDecoder(strings.NewReader(input), "jobs", opts)
	var jobs []*Job
	var errs []string
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("decoder does not end")
		}
		job, err := d.Next()
		if err == io.EOF {
			return jobs, errs
		}
		if err != nil {
			errs = append(errs, err.Error())
			var ie *InputError
			if errors.As(err, &ie) {
				return jobs, errs
			}
			continue
		}
		jobs = append(jobs, job)
	}
}

func TestDecodeFormats(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		input  string
		ids    []string
		argv   [][]string
	}{
		{"empty", FormatAuto, "", nil, nil},
		{"only space", FormatAuto, " \n\t\n", nil, nil},
		{"empty json", FormatJSON, "  ", nil, nil},
		{"json array", FormatAuto, `[{"cmd":"echo a"}, {"id":"b","cmd":["echo","b"]}]`,
			[]string{"1", "b"}, [][]string{{"echo a"}, {"echo", "b"}}},
		{"empty array", FormatAuto, "[ ]\n", nil, nil},
		{"ndjson", FormatAuto, "{\"cmd\":\"x\"}\n\n{\"cmd\":\"y\"}\r\n",
			[]string{"1", "2"}, [][]string{{"x"}, {"y"}}},
		{"ndjson no final newline", FormatNDJSON, `{"cmd":"x"}`, []string{"1"}, [][]string{{"x"}}},
		{"lines", FormatLines, "echo a\n\n  # note\necho b\r\n", []string{"1", "4"},
			[][]string{{"echo a"}, {"echo b"}}},
		{"bom", FormatAuto, "\ufeff[{\"cmd\":\"x\"}]", []string{"1"}, [][]string{{"x"}}},
		{"brackets in strings", FormatJSON, `[{"cmd":"echo ] } [ {"}, {"cmd":"echo \"]\""}]`,
			[]string{"1", "2"}, [][]string{{"echo ] } [ {"}, {`echo "]"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, errs := decodeAll(t, tt.input, Options{Format: tt.format})
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if len(jobs) != len(tt.ids) {
				t.Fatalf("got %d jobs, want %d", len(jobs), len(tt.ids))
			}
			for i, job := range jobs {
				if job.ID != tt.ids[i] {
					t.Errorf("job %d: id %q, want %q", i, job.ID, tt.ids[i])
				}
				if strings.Join(job.Argv, "|") != strings.Join(tt.argv[i], "|") {
					t.Errorf("job %d: argv %q, want %q", i, job.Argv, tt.argv[i])
				}
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	in := `{"id":"full","cmd":["env"],"env":{"A":"1","B":"two"},"dir":"/tmp","timeout":"1m30s","retries":3,"retry_on":[2,"timeout"],"stdin":"hi"}
{"cmd":"true","timeout":1.5,"retries":0}
{"cmd":"true","timeout":0}`
	jobs, errs := decodeAll(t, in, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	j := jobs[0]
	if j.Shell || j.Argv[0] != "env" || len(j.Env) != 2 || j.Env[1] != (EnvVar{"B", "two"}) ||
		j.Dir != "/tmp" || *j.Timeout != 90*time.Second || *j.Retries != 3 || *j.Stdin != "hi" ||
		j.Record != (Position{"jobs", 1}) {
		t.Errorf("job 1 decoded wrongly: %+v", j)
	}
	if !j.RetryOn.Matches(ptr(2), false) || j.RetryOn.Matches(ptr(1), false) || !j.RetryOn.Matches(nil, true) {
		t.Errorf("retry_on decoded wrongly: %+v", j.RetryOn)
	}
	if *jobs[1].Timeout != 1500*time.Millisecond || *jobs[1].Retries != 0 || jobs[1].Env != nil {
		t.Errorf("job 2 decoded wrongly: %+v", jobs[1])
	}
	if jobs[1].Timeout == nil || *jobs[2].Timeout != 0 {
		t.Errorf("timeout 0 must be kept as an explicit zero")
	}
	if jobs[1].RetryOn != nil || !jobs[1].RetryOn.Matches(nil, false) {
		t.Errorf("no retry_on must retry every failure")
	}
}

func ptr(i int) *int { return &i }

func TestDecodeRecordErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // the one error expected, with its position
	}{
		{"unknown field", `{"cmd":"x","cdm":"y"}`, `jobs:1: unknown field "cdm" (did you mean "cmd"?)`},
		{"case differs", `{"cmd":"x","CMD":"y"}`, `jobs:1: unknown field "CMD" (did you mean "cmd"?)`},
		{"far unknown", `{"cmd":"x","zzzzzzzz":1}`, `unknown field "zzzzzzzz" (known fields:`},
		{"key twice", `{"cmd":"x","cmd":"y"}`, `jobs:1: field "cmd" is given twice`},
		{"no cmd", `{"id":"a"}`, `field "cmd" is required`},
		{"cmd number", `{"cmd":5}`, `field "cmd": must be a string or an array of strings, not a number`},
		{"cmd empty array", `{"cmd":[]}`, `must not be an empty array`},
		{"cmd empty string", `{"cmd":"  "}`, `field "cmd": must not be empty`},
		{"cmd array of numbers", `{"cmd":["a",1]}`, `element 1 must be a string, not a number`},
		{"cmd NUL", `{"cmd":"a\u0000b"}`, `field "cmd": contains a NUL byte`},
		{"argv NUL", `{"cmd":["a","\u0000"]}`, `element 1 contains a NUL byte`},
		{"negative retries", `{"cmd":"x","retries":-1}`, `field "retries": must be a whole number from 0 to 100, got -1`},
		{"fractional retries", `{"cmd":"x","retries":1.5}`, `got 1.5`},
		{"too many retries", `{"cmd":"x","retries":101}`, `got 101`},
		{"string retries", `{"cmd":"x","retries":"3"}`, `got "3"`},
		{"negative timeout", `{"cmd":"x","timeout":-1}`, `field "timeout": must not be negative`},
		{"negative timeout string", `{"cmd":"x","timeout":"-5s"}`, `must not be negative`},
		{"bad duration", `{"cmd":"x","timeout":"soon"}`, `"soon" is not a duration`},
		{"huge timeout", `{"cmd":"x","timeout":1e300}`, `is too long`},
		{"timeout rounding to 0", `{"cmd":"x","timeout":1e-10}`, `field "timeout": 1e-10 seconds is under 0.001 (1ms); 0 means none`},
		{"timeout under 1ms", `{"cmd":"x","timeout":0.0009}`, `0.0009 seconds is under 0.001 (1ms)`},
		{"overflowing timeout", `{"cmd":"x","timeout":1e400}`, `1e400 seconds is too long`},
		{"overflowing retries", `{"cmd":"x","retries":1e400}`, `must be a whole number from 0 to 100, got 1e400`},
		{"bool timeout", `{"cmd":"x","timeout":true}`, `not a boolean`},
		{"env number", `{"cmd":"x","env":{"A":1}}`, `variable "A" must be a string, not a number`},
		{"env twice", `{"cmd":"x","env":{"A":"1","A":"2"}}`, `variable "A" is given twice`},
		{"env NUL hides value", `{"cmd":"x","env":{"A":"secret\u0000"}}`, `the value of variable "A" contains a NUL byte`},
		{"env bad key", `{"cmd":"x","env":{"A=B":"1"}}`, `must not contain '='`},
		{"env array", `{"cmd":"x","env":["A"]}`, `must be an object of strings`},
		{"id number", `{"cmd":"x","id":7}`, `field "id": must be a string, not a number`},
		{"id empty", `{"cmd":"x","id":""}`, `field "id": must not be empty`},
		{"id control", `{"cmd":"x","id":"a\nb"}`, `contains the control character U+000A`},
		{"id too long", `{"cmd":"x","id":"` + strings.Repeat("a", 257) + `"}`, `is 257 bytes long; the limit is 256`},
		{"retry_on word", `{"cmd":"x","retry_on":["later"]}`, `"later" is not "timeout" or an exit code`},
		{"retry_on zero", `{"cmd":"x","retry_on":[0]}`, `exit code from 1 to 255`},
		{"not object", `["x"]`, `a record must be a JSON object, not an array`},
		{"bad json", `{"cmd":tru}`, `jobs:1: invalid JSON`},
		{"trailing data", `{"cmd":"x"} {"cmd":"y"}`, `unexpected data after the job object`},
		{"invalid utf8", "{\"cmd\":\"\xff\"}", `not valid UTF-8`},
		{"deep nesting", `{"cmd":"x","env":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, `jobs:1:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, errs := decodeAll(t, tt.input, Options{Format: FormatNDJSON})
			if len(jobs) != 0 || len(errs) != 1 {
				t.Fatalf("got %d jobs and errors %q; want one error", len(jobs), errs)
			}
			if !strings.Contains(errs[0], tt.want) {
				t.Errorf("error %q does not contain %q", errs[0], tt.want)
			}
			if strings.Contains(errs[0], "secret") {
				t.Errorf("error %q shows an environment value", errs[0])
			}
		})
	}
}

func TestDecodeReportsEveryBadRecord(t *testing.T) {
	in := "{\"cmd\":\"ok\"}\n{\"cmd\":1}\n\n{\"id\":\"1\",\"cmd\":\"dup\"}\nnot json\n{\"cmd\":\"ok\"}\n"
	jobs, errs := decodeAll(t, in, Options{Format: FormatNDJSON})
	want := []string{
		`jobs:2: field "cmd"`,
		`jobs:4: id "1" is already the id of record 1, which has no id of its own`,
		`jobs:5: invalid JSON`,
	}
	if len(jobs) != 2 || len(errs) != len(want) {
		t.Fatalf("got %d jobs, errors %q", len(jobs), errs)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], w)
		}
	}
	// Default ids are record numbers, counted over bad records too.
	if jobs[1].ID != "5" {
		t.Errorf("last job id %q, want 5", jobs[1].ID)
	}
}

func TestDecodeDefaultIDsClash(t *testing.T) {
	in := "{\"cmd\":\"a\"}\n{\"id\":\"1\",\"cmd\":\"b\"}\n{\"id\":\"4\",\"cmd\":\"c\"}\n{\"cmd\":\"d\"}\n{\"cmd\":\"e\"}\n"
	_, errs := decodeAll(t, in, Options{})
	want := []string{
		`jobs:2: id "1" is already the id of record 1, which has no id of its own`,
		`jobs:4: id "4" is already used by the record on line 3`,
	}
	if strings.Join(errs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("errors %q, want %q", errs, want)
	}
}

func TestDecodeJSONArrayPositions(t *testing.T) {
	in := "[\n  {\"cmd\": \"a\"},\n  {\n    \"cmd\": \"b\",\n    \"retries\": -2\n  },\n  {\"cmd\": \"c\"}\n]\n"
	jobs, errs := decodeAll(t, in, Options{})
	if len(jobs) != 2 || jobs[0].Record.Line != 2 || jobs[1].Record.Line != 7 {
		t.Fatalf("jobs %+v", jobs)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "jobs:5: field \"retries\"") {
		t.Fatalf("errors %q, want one at jobs:5 (the line of the bad field)", errs)
	}
	if jobs[1].ID != "3" {
		t.Errorf("third element has id %q, want 3", jobs[1].ID)
	}
}

func TestDecodeJSONSyntaxErrorsAreFatal(t *testing.T) {
	tests := []struct{ input, want string }{
		{`[{"cmd":"a"} {"cmd":"b"}]`, `jobs:1: expected ',' or ']'`},
		{"[{\"cmd\":\"a\"},\n", `jobs:2: unexpected end of input`},
		{`[{"cmd":"a"`, `unexpected end of input inside the record`},
		{"[{\"cmd\":\"a\"}]\nx", `jobs:2: unexpected 'x' after the end of the JSON array`},
		{`[,]`, `expected an array element, found ','`},
		{`{"cmd":"a"}`, `does not start with '['`},
	}
	for _, tt := range tests {
		_, errs := decodeAll(t, tt.input, Options{Format: FormatJSON})
		if len(errs) == 0 || !strings.Contains(errs[len(errs)-1], tt.want) {
			t.Errorf("%q: errors %q, want %q", tt.input, errs, tt.want)
		}
	}
}

func TestDecodeAutoRejectsOtherInput(t *testing.T) {
	_, errs := decodeAll(t, "\n\necho hi\n", Options{})
	if len(errs) != 1 || !strings.Contains(errs[0], "jobs:1:") || !strings.Contains(errs[0], "--format lines") {
		t.Fatalf("errors %q", errs)
	}
}

func TestDecodeRecordSizeLimit(t *testing.T) {
	big := strings.Repeat("x", 5000)
	tests := []struct {
		name   string
		format Format
		input  string
	}{
		{"ndjson", FormatNDJSON, `{"cmd":"ok"}` + "\n" + `{"cmd":"` + big + `"}` + "\n" + `{"cmd":"ok"}` + "\n"},
		{"json", FormatJSON, `[{"cmd":"ok"},{"cmd":"` + big + `"},{"cmd":"ok"}]`},
		{"json scalar", FormatJSON, `[{"cmd":"ok"},` + strings.Repeat("1", 5000) + `,{"cmd":"ok"}]`},
		{"lines", FormatLines, "ok\necho " + big + "\nok\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, errs := decodeAll(t, tt.input, Options{Format: tt.format, MaxRecordSize: 1024})
			if len(jobs) != 2 || len(errs) != 1 || !strings.Contains(errs[0], "larger than --max-record-size (1 KiB)") {
				t.Fatalf("jobs %d, errors %q", len(jobs), errs)
			}
			if tt.format != FormatJSON && !strings.HasPrefix(errs[0], "jobs:2:") {
				t.Errorf("error %q is not at line 2", errs[0])
			}
		})
	}
}

func TestDecodeLongLinesWithinLimit(t *testing.T) {
	// Longer than bufio's default buffer, shorter than the limit.
	cmd := "echo " + strings.Repeat("y", 200<<10)
	jobs, errs := decodeAll(t, cmd+"\n"+cmd, Options{Format: FormatLines})
	if len(errs) != 0 || len(jobs) != 2 || jobs[1].Argv[0] != cmd || jobs[1].ID != "2" {
		t.Fatalf("errors %q, %d jobs", errs, len(jobs))
	}
}

func TestDecodeLeadingWhiteSpaceKeepsLineNumbers(t *testing.T) {
	in := strings.Repeat("\n", 70000) + `{"cmd":1}`
	_, errs := decodeAll(t, in, Options{})
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "jobs:70001:") {
		t.Fatalf("errors %q", errs)
	}
}

func TestParseFormat(t *testing.T) {
	if _, err := ParseFormat("yaml"); err == nil {
		t.Error("yaml accepted")
	}
	if f, err := ParseFormat("lines"); err != nil || f != FormatLines {
		t.Error("lines rejected")
	}
}

// endless is a stream that never ends: prefix, then fill for ever. It
// counts what was read of it.
type endless struct {
	prefix string
	fill   byte
	read   int
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.fill
	}
	e.read += len(p)
	return len(p), nil
}

// A record past the limit is refused as soon as it passes it, not when
// its end comes: a stream that never ends one (/dev/zero) cannot hold the
// decoder.
func TestDecodeRefusesRecordAtLimit(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		in     *endless
	}{
		{"lines", FormatLines, &endless{fill: 0}},
		{"ndjson", FormatNDJSON, &endless{prefix: `{"cmd":"`, fill: 'x'}},
		{"json", FormatJSON, &endless{prefix: `[{"cmd":"`, fill: 'x'}},
		{"json scalar", FormatJSON, &endless{prefix: `[1`, fill: '1'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := NewDecoder(tt.in, "<stdin>", Options{Format: tt.format, MaxRecordSize: 1024})
			defer dec.Close()
			_, err := dec.Next()
			if err == nil || !strings.Contains(err.Error(), "<stdin>:1: record is larger than --max-record-size (1 KiB)") {
				t.Fatalf("error %v", err)
			}
			if tt.in.read > 1<<20 {
				t.Errorf("read %d bytes before refusing the record", tt.in.read)
			}
		})
	}
}

// After a record refused as too large, longer than the read buffer, the
// next record is read from where it starts, on its own line number.
func TestDecodeSkipsRestOfLargeRecord(t *testing.T) {
	big := strings.Repeat("x", 300<<10)
	tests := []struct {
		name   string
		format Format
		input  string
	}{
		{"lines", FormatLines, "ok\necho " + big + "\nok\n"},
		{"json", FormatJSON, `[{"cmd":"ok"},{"cmd":"` + big + `"},` + "\n" + `{"cmd":"ok"}]`},
		{"json scalar", FormatJSON, `[{"cmd":"ok"},` + big + `,{"cmd":"ok"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, errs := decodeAll(t, tt.input, Options{Format: tt.format, MaxRecordSize: 1024})
			if len(jobs) != 2 || len(errs) != 1 || !strings.Contains(errs[0], "larger than --max-record-size") {
				t.Fatalf("jobs %d, errors %q", len(jobs), errs)
			}
			if tt.format == FormatLines && jobs[1].ID != "3" {
				t.Errorf("the record after is %q, want id 3", jobs[1].ID)
			}
		})
	}
}

// A byte order mark starting a lines input is not part of the first
// command.
func TestDecodeLinesDropsBOM(t *testing.T) {
	jobs, errs := decodeAll(t, "\ufefftrue\necho \ufeff\n", Options{Format: FormatLines})
	if len(errs) != 0 || len(jobs) != 2 || jobs[0].Argv[0] != "true" || jobs[1].Argv[0] != "echo \ufeff" {
		t.Fatalf("errors %q, jobs %+v", errs, jobs)
	}
}
