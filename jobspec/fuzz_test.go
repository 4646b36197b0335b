package jobspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds arbitrary bytes to every format: the decoder must end,
// never panic, and name a position in every error.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		`[{"cmd":"a"},{"id":"x","cmd":["b","c"],"env":{"K":"V"},"timeout":"1s","retries":2,"retry_on":[1,"timeout"],"stdin":"s","dir":"/"}]`,
		"{\"cmd\":\"a\"}\n{\"cmd\":1}\n",
		"echo a\n# c\n\necho b",
		`[{"cmd":"]"}, "x", 1, [], {}]`,
		"[\n{\"cmd\":\"a\"}\n,\n]",
		"\ufeff{}",
		"[[[[[[[[[[",
		"{\"cmd\":\"\xff\"}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []Format{FormatAuto, FormatJSON, FormatNDJSON, FormatLines} {
			d := NewDecoder(bytes.NewReader(data), "f", Options{Format: format, MaxRecordSize: 256})
			for i := 0; ; i++ {
				if i > len(data)+2 {
					t.Fatalf("%s: more results than input bytes", format)
				}
				job, err := d.Next()
				if err == io.EOF {
					break
				}
				var re *RecordError
				var ie *InputError
				switch {
				case errors.As(err, &ie):
					if ie.Pos.Line < 1 || ie.Pos.File != "f" {
						t.Fatalf("%s: error without a position: %v", format, err)
					}
				case errors.As(err, &re):
					if re.Pos.Line < 1 || re.Pos.File != "f" {
						t.Fatalf("%s: error without a position: %v", format, err)
					}
					continue
				case err != nil:
					t.Fatalf("%s: untyped error %v", format, err)
				default:
					if len(job.Argv) == 0 || job.ID == "" || ValidateID(job.ID) != nil {
						t.Fatalf("%s: invalid job accepted: %+v", format, job)
					}
					continue
				}
				break
			}
		}
	})
}

// FuzzParsersAgree checks that the one-pass parser and the tokenizer it
// falls back on at a syntax fault decide every record the same way: the
// same job, or the same error.
func FuzzParsersAgree(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","cmd":["x","y"],"env":{"K":"V","L":"\u00e9"},"dir":"/","timeout":1.5,"retries":2,"retry_on":[1,"timeout"],"stdin":""}`,
		`{"cmd":"x","cmd":"y"}`, `{"cmd":"x","CMD":1}`, `{"c\u006dd":"x"}`, `{"cmd":["a",1]}`, `{"env":{"A":"1","A":"2"},"cmd":"x"}`,
		`["x"]`, `"x"`, `12`, `null`, `{}`, `{"cmd":"x","retry_on":[0]}`, `{"cmd":"x","timeout":"-1s"}`,
		` { "cmd" : [ ] } `, `{"cmd":"a\"b"}`, `{"id":"\u0007","cmd":"x"}`,
		`{"cmd":"x"} {}`, `{"cmd":"x",}`, `{"zzz":1,"cmd":tru}`, `{"cmd":"x","retries":-1,"bad":}`, `{"cmd" "x"}`, `{"cmd":"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		if !utf8.Valid(rec) {
			return // the decoder rejects it before either parser
		}
		pos := Position{File: "f", Line: 1}
		fast, ferr := parseObject(rec, pos)
		slow, serr := parseInvalid(rec, pos)
		if (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
			t.Fatalf("errors differ for %q:\nfast %v\nslow %v", rec, ferr, serr)
		}
		if ferr == nil && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("jobs differ for %q:\nfast %+v\nslow %+v", rec, fast, slow)
		}
	})
}

// FuzzValidJSON holds validJSON to json.Valid.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `""`, `"\u00e9\n"`, `"\x"`, `-0.5e+3`, `01`, `1.`, `.5`, `-`, `true`, `tru`, `nul`,
		`{"a":[1,{"b":null}],"c":"d"}`, `{"a" 1}`, `[1,]`, `{,}`, " [ ] ", "\"\x01\"", "\"\xff\"",
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}
