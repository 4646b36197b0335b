package runner

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
)

func TestResultsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "res.ndjson")
	w, err := OpenResults(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	job := &jobspec.Job{ID: "weird \"id\"\u2028<&>", Record: jobspec.Position{File: "jobs", Line: 7}}
	for _, res := range []*Result{
		{Job: job, Status: Succeeded, ExitCode: code(0), Attempts: 1, StartedAt: start, FinishedAt: start.Add(1500 * time.Millisecond)},
		{Job: &jobspec.Job{ID: "k", Record: job.Record}, Status: Canceled, Signal: "SIGKILL", Attempts: 2, Err: errors.New("stopped"), StartedAt: start, FinishedAt: start},
	} {
		if err := w.Write(NewRecord(res)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), b)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got["id"] != job.ID || got["record"] != "jobs:7" || got["started_at"] != "2026-01-02T02:04:05Z" ||
		got["duration_ms"] != 1500.0 || got["signal"] != nil || got["error"] != nil || got["exit_code"] != 0.0 {
		t.Errorf("record %v", got)
	}
	if !strings.Contains(lines[1], `"exit_code":null,"signal":"SIGKILL"`) || !strings.Contains(lines[1], `"error":"stopped"`) {
		t.Errorf("record %s", lines[1])
	}
	ids, cut, err := ReadSucceeded(path)
	if err != nil || len(cut) != 0 || !ids[job.ID] || ids["k"] || len(ids) != 1 {
		t.Fatalf("ids %v cut %v err %v", ids, cut, err)
	}
}

func TestReadSucceeded(t *testing.T) {
	tests := []struct {
		name, content string
		ids           []string
		cut           []int
		err           string
	}{
		{"missing", "", nil, nil, ""},
		{"cut last line", `{"id":"a","status":"succeeded"}` + "\n" + `{"id":"b","sta`, []string{"a"}, []int{2}, ""},
		{"cut line in the middle", `{"id":"a","sta` + "\n" + `{"id":"b","status":"succeeded"}` + "\n", []string{"b"}, []int{1}, ""},
		{"blank lines", "\n" + `{"id":"a","status":"succeeded"}` + "\n\n", []string{"a"}, nil, ""},
		{"not records", "hello\n", nil, nil, ":1: not a results record"},
		{"failed only", `{"id":"a","status":"failed"}`, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "res")
			if tt.name != "missing" {
				os.WriteFile(path, []byte(tt.content), 0o644)
			}
			ids, cut, err := ReadSucceeded(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(ids) != len(tt.ids) || len(cut) != len(tt.cut) {
				t.Fatalf("ids %v cut %v err %v", ids, cut, err)
			}
			for _, id := range tt.ids {
				if !ids[id] {
					t.Errorf("missing %s", id)
				}
			}
			for i := range cut {
				if cut[i] != tt.cut[i] {
					t.Errorf("cut %v, want %v", cut, tt.cut)
				}
			}
		})
	}
}

func TestOpenResultsEndsACutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "res")
	os.WriteFile(path, []byte(`{"id":"a","status":"succeeded"}`+"\n"+`{"id":"b","st`), 0o644)
	w, err := OpenResults(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(Record{ID: "c", Status: Succeeded})
	w.Close()
	ids, cut, err := ReadSucceeded(path)
	if err != nil || !ids["a"] || !ids["c"] || len(cut) != 1 || cut[0] != 2 {
		t.Fatalf("ids %v cut %v err %v", ids, cut, err)
	}
}

func TestSpoolSpillsAndCleansUp(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := &SpoolDir{}
	s := &Spool{Dir: dir, Limit: 10}
	var want strings.Builder
	for i := range 100 {
		chunk := strings.Repeat(string(rune('a'+i%26)), i%7+1)
		want.WriteString(chunk)
		s.Write([]byte(chunk))
	}
	if s.file == nil {
		t.Fatal("no spill past the limit")
	}
	fi, _ := s.file.Stat()
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("spill file mode %v", fi.Mode().Perm())
	}
	di, _ := os.Stat(dir.path)
	if di.Mode().Perm() != 0o700 {
		t.Errorf("spool dir mode %v", di.Mode().Perm())
	}
	var got strings.Builder
	s.WriteTo(&got)
	if got.String() != want.String() || s.Len() != int64(want.Len()) {
		t.Fatalf("got %d bytes, want %d", got.Len(), want.Len())
	}
	name := s.file.Name()
	s.Close()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("spill file left: %v", err)
	}
	path := dir.path
	dir.Remove()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("spool dir left: %v", err)
	}
}

func TestTailKeepsTheLastBytes(t *testing.T) {
	tl := newTail(8)
	tl.Write([]byte("line one\nline two\n"))
	tl.Write([]byte("end\n"))
	if got := string(tl.bytes(true)); got != "end\n" {
		t.Errorf("tail %q", got)
	}
	tl = newTail(100)
	tl.Write([]byte("a\nb\n"))
	if got := string(tl.bytes(false)); got != "a\nb\n" {
		t.Errorf("tail %q", got)
	}
}

func TestSpoolParkReleasesMemoryAndDescriptor(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := &SpoolDir{}
	defer dir.Remove()
	for _, size := range []int{0, 5, 25} { // empty, in memory, spilled
		s := &Spool{Dir: dir, Limit: 10}
		want := strings.Repeat("p", size)
		s.Write([]byte(want))
		if err := s.Park(); err != nil {
			t.Fatal(err)
		}
		if s.mem != nil || s.file != nil {
			t.Errorf("size %d: parked spool still holds memory or a file", size)
		}
		var got strings.Builder
		s.WriteTo(&got)
		if got.String() != want {
			t.Errorf("size %d: got %q", size, got.String())
		}
		name := s.parked
		s.Close()
		if name != "" {
			if _, err := os.Stat(name); !os.IsNotExist(err) {
				t.Errorf("parked file left")
			}
		}
	}
}
