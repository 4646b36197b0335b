package runner

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadHistory reads a history of 100,000 records, each as long
// as drover writes them (bench/cost.sh measures the whole process).
func BenchmarkReadHistory(b *testing.B) {
	path := filepath.Join(b.TempDir(), "history.ndjson")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range 100000 {
		fmt.Fprintf(w, `{"id":"job-%07d","record":"jobs.ndjson:%d","status":"succeeded","exit_code":0,"signal":null,"attempts":1,"started_at":"2026-01-01T00:00:00.123456789Z","finished_at":"2026-01-01T00:00:01.123456789Z","duration_ms":%d,"error":null,"max_rss_bytes":4194304,"user_ms":3,"sys_ms":1,"cmd":["./test.sh","%d"],"slot":%d}`+"\n", i, i, i*7919%60000, i, i%4+1)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ReportAllocs()
	for b.Loop() {
		h, err := ReadHistory([]string{path})
		if err != nil || h.Len() != 100000 {
			b.Fatal(h.Len(), err)
		}
	}
}
