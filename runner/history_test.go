package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func historyLine(id string, status Status, ms int64) string {
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
		historyLine("a", Succeeded, 100),
		historyLine("b", Failed, 700),
		historyLine("c", TimedOut, 300),
		historyLine("a", Canceled, 5),
	)
	second := writeHistory(t,
		historyLine("a", Succeeded, 200),
		historyLine("b", Skipped, 0),
		historyLine("d", Canceled, 9000),
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
	bad := writeHistory(t, historyLine("a", Succeeded, 1), "not json\n")
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
