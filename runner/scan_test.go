package runner

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A record is complete and known, cut short by a crash, or an error
// naming its line: an unknown status is never taken for a line cut short.
func TestScanResults(t *testing.T) {
	tests := []struct {
		name, content string
		ids           []string
		cut           []CutRecord
		err           string
	}{
		{"unknown status mid-file", `{"id":"a","status":"FAILED"}` + "\n" + `{"id":"b","status":"succeeded"}` + "\n", nil, nil, `f:1: job a: unknown status "FAILED"`},
		{"unknown status last", `{"id":"a","status":"succeeded"}` + "\n" + `{"id":"b","status":"ok"}`, nil, nil, `f:2: job b: unknown status "ok"`},
		{"no status", `{"id":"a"}`, nil, nil, `f:1: job a: unknown status ""`},
		{"not a cut", `{"id":"a","status":"succeeded"}}` + "\n", nil, nil, "f:1: not a results record"},
		{"cut last", `{"id":"a","status":"succeeded"}` + "\n" + `{"id":"b","sta`, []string{"a"}, []CutRecord{{Line: 2, ID: "b", Last: true}}, ""},
		{"cut last with newline", `{"id":"a","status":"succeeded"}` + "\n" + `{"id":"b","sta` + "\n\n", []string{"a"}, []CutRecord{{Line: 2, ID: "b", Last: true}}, ""},
		{"cut in the middle", `{"id":"x\"y","sta` + "\n" + `{"id":"b","status":"failed"}` + "\n", []string{"b"}, []CutRecord{{Line: 1, ID: `x"y`}}, ""},
		{"cut in the id", `{"id":"ab`, nil, []CutRecord{{Line: 1, Last: true}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			cut, err := ScanResults(strings.NewReader(tt.content), "f", func(_ int, rec *Record) error {
				ids = append(ids, rec.ID)
				return nil
			})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(ids, tt.ids) || !reflect.DeepEqual(cut, tt.cut) {
				t.Errorf("ids %v cut %+v err %v; want %v %+v", ids, cut, err, tt.ids, tt.cut)
			}
		})
	}
}

func TestReadPrevious(t *testing.T) {
	path := filepath.Join(t.TempDir(), "res")
	os.WriteFile(path, []byte(`{"id":"a","status":"succeeded","run":"r1"}`+"\n"+
		`{"id":"b","status":"failed","run":"r2"}`+"\n"+`{"id":"c","status":"succeeded","run":"r1"}`+"\n"+`{"id":"d","status":"succeeded"}`+"\n"+`{"id":"e","st`), 0o644)
	p, err := ReadPrevious(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Runs, []string{"r1", "r2"}) || len(p.Succeeded) != 3 || !p.Succeeded["d"] || p.Succeeded["b"] || !reflect.DeepEqual(p.Cut, []int{5}) {
		t.Errorf("%+v", p)
	}
	if p, err := ReadPrevious(filepath.Join(t.TempDir(), "missing"), 0); err != nil || len(p.Succeeded) != 0 || p.Runs != nil {
		t.Errorf("missing file: %+v, %v", p, err)
	}
}

// endlessLine is a results file whose second line never ends; it counts
// what was read of it.
type endlessLine struct {
	first string
	read  int
}

func (e *endlessLine) Read(p []byte) (int, error) {
	n := copy(p, e.first)
	e.first = e.first[n:]
	for i := n; i < len(p); i++ {
		p[i] = 'x'
	}
	e.read += len(p)
	return len(p), nil
}

// A line longer than a record can be is an error naming it, found with
// bounded memory: reading stops at the limit.
func TestScanResultsLineLimit(t *testing.T) {
	in := &endlessLine{first: `{"id":"a","status":"succeeded"}` + "\n" + `{"id":"b","cmd":"`}
	_, err := ScanResults(in, "res.ndjson", func(int, *Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "res.ndjson:2: not a results record: the line is longer than") {
		t.Fatalf("err %v", err)
	}
	if limit := MaxRecordLine(0); in.read > limit+64<<10 {
		t.Errorf("read %d bytes, for a limit of %d", in.read, limit)
	}
	path := filepath.Join(t.TempDir(), "res")
	long := `{"id":"a","status":"succeeded","cmd":"` + strings.Repeat("x", 100<<10) + `"}` + "\n"
	if err := os.WriteFile(path, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPrevious(path, 1024); err == nil || !strings.Contains(err.Error(), path+":1: not a results record") {
		t.Errorf("ReadPrevious with --max-record-size 1KiB: %v", err)
	}
	if p, err := ReadPrevious(path, 0); err != nil || !p.Succeeded["a"] {
		t.Errorf("ReadPrevious with the default limit: %v", err)
	}
}
