package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func resultLine(id string, status Status, ms int64) string {
	return fmt.Sprintf(`{"id":%q,"record":"j:1","status":%q,"exit_code":0,"signal":null,"attempts":1,"started_at":"2026-11-26T10:00:00Z","finished_at":"2026-11-26T10:00:01Z","duration_ms":%d,"error":null}`+"\n", id, status, ms)
}

func writeHistory(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "h.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The last record that ran to an end counts; later files come after
// earlier ones; canceled and skipped records are passed over, and so is a
// last line cut short.
func TestHistoryTakesTheLastRecordThatRan(t *testing.T) {
	first := writeHistory(t,
		resultLine("a", Succeeded, 100),
		resultLine("b", Failed, 700),
		resultLine("c", TimedOut, 300),
		resultLine("a", Canceled, 5),
	)
	second := writeHistory(t,
		resultLine("a", Succeeded, 200),
		resultLine("b", Skipped, 0),
		resultLine("d", Canceled, 9000),
		`{"id":"e","record":"j:1","sta`,
	)
	h, err := ReadHistory([]string{first, second})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int64{"a": 200, "b": 700, "c": 300} {
		if d, ok := h.Duration(id); !ok || d != want {
			t.Errorf("%s: %d %v, want %d", id, d, ok, want)
		}
	}
	if _, ok := h.Duration("d"); ok || h.Len() != 3 {
		t.Errorf("a canceled job has a history (%d jobs)", h.Len())
	}
	if h.Median() != 300 || h.Estimate("unknown") != 300 || h.Estimate("b") != 700 {
		t.Errorf("median %d, estimate %d", h.Median(), h.Estimate("unknown"))
	}
}

func TestHistoryErrorsNameTheLine(t *testing.T) {
	bad := writeHistory(t, resultLine("a", Succeeded, 1), "not json\n")
	if _, err := ReadHistory([]string{bad}); err == nil || !strings.HasSuffix(err.Error(), "h.ndjson:2: not a results record") {
		t.Errorf("error %v", err)
	}
	if _, err := ReadHistory([]string{filepath.Join(t.TempDir(), "missing")}); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	h, err := ReadHistory(nil)
	if err != nil || h.Len() != 0 || h.Estimate("x") != 0 {
		t.Errorf("empty history: %v", err)
	}
}

// The history's scanner reads the three fields it needs from any record a
// JSON decoder would read, tells a line cut short from one that is no
// record, and takes the last of a key given twice.
func TestParseHistoryLine(t *testing.T) {
	tests := []struct {
		line string
		want historyLine
		err  error
	}{
		{`{"id":"a","status":"failed","duration_ms":12}`, historyLine{"a", Failed, 12}, nil},
		{` { "cmd" : ["x", "]}\"", {"y": [1, {}]}], "id" : "a\"b\u00e9", "duration_ms" : 7 , "status":"succeeded", "error":null } `, historyLine{"a\"bé", Succeeded, 7}, nil},
		{`{"id":"a","duration_ms":1,"duration_ms":2}`, historyLine{"a", "", 2}, nil},
		{`{}`, historyLine{}, nil},
		{`{"id":"a","status":"succ`, historyLine{}, errCutShort},
		{`{"id":"a","cmd":["x",`, historyLine{}, errCutShort},
		{`{"id":"a"`, historyLine{}, errCutShort},
		{`{"id":"a",`, historyLine{}, errCutShort},
		{`not json`, historyLine{}, errNotRecord},
		{`["id"]`, historyLine{}, errNotRecord},
		{`{"id":"a"} trailing`, historyLine{}, errNotRecord},
		{`{"id":1}`, historyLine{}, errNotRecord},
		{`{"id":"a","duration_ms":"12"}`, historyLine{}, errNotRecord},
		{`{"id":"a" "status":"failed"}`, historyLine{}, errNotRecord},
		{`{id:"a"}`, historyLine{}, errNotRecord},
	}
	for _, tt := range tests {
		got, err := parseHistoryLine([]byte(strings.TrimSpace(tt.line)))
		if err != tt.err || (err == nil && got != tt.want) {
			t.Errorf("%s: %+v, %v; want %+v, %v", tt.line, got, err, tt.want, tt.err)
		}
	}
}

func TestParseHistoryLineAgreesWithJSON(t *testing.T) {
	for _, id := range []string{"plain", `q"uo\te`, "{[brace]}", "ünï\u2028code", `\`, "a,b:c"} {
		msg := "x\"}]"
		rec := Record{ID: id, Record: "f:1", Status: TimedOut, DurationMS: 1234, Error: &msg, Cmd: json.RawMessage(`["a","}\""]`)}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseHistoryLine(b)
		if err != nil || got != (historyLine{id, TimedOut, 1234}) {
			t.Errorf("%s: %+v, %v", b, got, err)
		}
	}
}

// A line longer than the reader's buffer is read whole.
func TestHistoryReadsLongLines(t *testing.T) {
	long := strings.Replace(resultLine("long", Succeeded, 42), `"error":null`, `"error":"`+strings.Repeat("x", 200<<10)+`"`, 1)
	h, err := ReadHistory([]string{writeHistory(t, resultLine("a", Failed, 1), long, resultLine("b", Failed, 3))})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := h.Duration("long"); !ok || d != 42 || h.Len() != 3 {
		t.Errorf("long: %d %v, %d jobs", d, ok, h.Len())
	}
}
