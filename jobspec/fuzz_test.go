package jobspec

import (
	"bytes"
	"errors"
	"io"
	"testing"
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
