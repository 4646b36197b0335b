package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
)

// rec is a results line for job id with status, in shard (K/N or "").
func rec(id, status, shard string) string {
	s := fmt.Sprintf(`{"id":%q,"record":"j:1","status":%q,"exit_code":0,"signal":null,"attempts":1,"started_at":"2026-11-26T10:00:00Z","finished_at":"2026-11-26T10:00:01Z","duration_ms":1000,"error":null`, id, status)
	if shard != "" {
		s += fmt.Sprintf(`,"shard":%q`, shard)
	}
	return s + "}\n"
}

// withNeeds adds needs to a results line.
func withNeeds(line string, needs ...string) string {
	ids := `"` + strings.Join(needs, `","`) + `"`
	return strings.TrimSuffix(line, "}\n") + `,"needs":[` + ids + "]}\n"
}

// idIn finds a job id that falls in shard k of n.
func idIn(k, n int) string {
	for i := 0; ; i++ {
		if id := fmt.Sprintf("job%d", i); jobspec.ShardOf(id, n) == k {
			return id
		}
	}
}

func TestMergeResults(t *testing.T) {
	a1, a2 := idIn(1, 2), idIn(2, 2)
	tests := []struct {
		name  string
		files []string
		opts  MergeOptions
		ok    string // the deciding statuses, in order, or ""
		warn  string
		err   string
	}{
		{"last record counts", []string{rec("a", "failed", "") + rec("a", "succeeded", ""), rec("a", "skipped", "")}, MergeOptions{ExpectJobs: -1}, "succeeded", "", ""},
		{"unknown status", []string{rec("a", "succeeded", "") + rec("b", "FAILED", "") + rec("c", "succeeded", "")}, MergeOptions{ExpectJobs: -1}, "", "", `f0:2: job b: unknown status "FAILED"`},
		{"empty file", []string{rec("a", "succeeded", ""), ""}, MergeOptions{ExpectJobs: -1}, "succeeded", "f1: no records", ""},
		{"cut last line", []string{rec("a", "succeeded", "") + `{"id":"b","status":"fai`}, MergeOptions{ExpectJobs: -1}, "succeeded", "f0:2: ignored a record cut short", ""},
		{"cut last line and expected jobs", []string{rec("a", "succeeded", "") + `{"id":"b","status":"fai`}, MergeOptions{ExpectJobs: 2}, "", "", "expected 2 jobs, the results hold 1"},
		{"cut mid-file, job recorded later", []string{`{"id":"b","sta` + "\n" + rec("a", "succeeded", "") + rec("b", "failed", "")}, MergeOptions{ExpectJobs: 2}, "succeeded failed", "f0:1: ignored a record cut short (job b has a later record)", ""},
		{"cut mid-file, no later record", []string{`{"id":"b","sta` + "\n" + rec("a", "succeeded", "")}, MergeOptions{ExpectJobs: -1}, "", "", "f0:1: a record cut short in the middle of the file"},
		{"too many jobs", []string{rec("a", "succeeded", "") + rec("b", "succeeded", "")}, MergeOptions{ExpectJobs: 1}, "", "", "expected 1 jobs, the results hold 2"},
		{"every shard", []string{rec(a1, "succeeded", "1/2"), rec(a2, "failed", "2/2")}, MergeOptions{ExpectJobs: -1, Shards: 2}, "succeeded failed", "", ""},
		{"a shard missing", []string{rec(a1, "succeeded", "1/2"), ""}, MergeOptions{ExpectJobs: -1, Shards: 2}, "", "", "shard 2/2: no records"},
		{"no shard field", []string{rec(a1, "succeeded", "")}, MergeOptions{ExpectJobs: -1, Shards: 2}, "", "", "f0:1: job " + a1 + ": no shard in the record"},
		{"another split", []string{rec(a1, "succeeded", "1/3")}, MergeOptions{ExpectJobs: -1, Shards: 2}, "", "", "is not one of 2 shards"},
		{"wrong shard", []string{rec(a1, "succeeded", "2/2")}, MergeOptions{ExpectJobs: -1, Shards: 2}, "", "", "its id falls in shard 1/2"},
		{"in its first need's shard", []string{rec(a1, "succeeded", "1/2") + withNeeds(rec(a2, "succeeded", "1/2"), a1), rec(idIn(2, 2)+"x", "succeeded", "2/2")}, MergeOptions{ExpectJobs: -1, Shards: 2}, "succeeded succeeded succeeded", "", ""},
		{"not in its first need's shard", []string{rec(a1, "succeeded", "1/2"), withNeeds(rec(a2, "succeeded", "2/2"), a1)}, MergeOptions{ExpectJobs: -1, Shards: 2}, "", "", "job " + a2 + ": recorded in shard 2/2, but its first need " + a1 + " in shard 1/2"},
		{"bad time", []string{`{"id":"a","status":"succeeded","started_at":"x"}` + "\n"}, MergeOptions{ExpectJobs: -1}, "", "", "f0:1: job a: bad time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for i, content := range tt.files {
				p := filepath.Join(dir, fmt.Sprintf("f%d", i))
				os.WriteFile(p, []byte(content), 0o644)
				paths = append(paths, p)
			}
			t.Chdir(dir)
			m, err := MergeResults([]string{"f0", "f1"}[:len(paths)], tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range m.Records {
				got = append(got, string(r.Status))
			}
			if strings.Join(got, " ") != tt.ok {
				t.Errorf("statuses %v, want %s", got, tt.ok)
			}
			if w := strings.Join(m.Warnings, "\n"); (tt.warn == "") != (w == "") || !strings.Contains(w, tt.warn) {
				t.Errorf("warnings %q, want %q", w, tt.warn)
			}
		})
	}
	if _, err := MergeResults([]string{filepath.Join(t.TempDir(), "missing")}, MergeOptions{ExpectJobs: -1}); err == nil || !strings.Contains(err.Error(), "missing: no such file") {
		t.Errorf("missing file: %v", err)
	}
}
