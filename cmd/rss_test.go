package cmd

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestMemoryStaysBounded checks drover's peak RSS while jobs print far more
// than it may hold. It is slow (half a gigabyte through pipes and disk), so
// it runs when DROVER_SLOW_TESTS is set, as .ci/run does. drover is built
// without the race detector, whose shadow memory would swamp the figure.
func TestMemoryStaysBounded(t *testing.T) {
	if os.Getenv("DROVER_SLOW_TESTS") == "" {
		t.Skip("set DROVER_SLOW_TESTS=1 to run")
	}
	dir := t.TempDir()
	drover := buildMeasured(t)
	const limit = 100 << 20
	tests := []struct {
		name   string
		args   []string
		job    string
		bytes  int64 // of the job's output, counted as the byte 'x' arrives
		prefix int   // tag mode: bytes added to each line
	}{
		{"group 300 MB", []string{"--output", "group"}, `head -c 300000000 /dev/zero | tr '\\0' x`, 300_000_000, 0},
		{"tag 200 MB without a newline", []string{"--output", "tag"}, `head -c 200000000 /dev/zero | tr '\\0' x`, 200_000_000, len("[big] ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := filepath.Join(dir, "jobs.ndjson")
			if err := os.WriteFile(jobs, []byte(`{"id":"big","cmd":"`+tt.job+`"}`+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			rssFile := filepath.Join(dir, "rss")
			c := drover.command(rssFile, append([]string{"run", "-q", jobs}, tt.args...)...)
			c.Env = append(os.Environ(), "TMPDIR="+dir)
			stdout, err := c.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			var xs int64
			br := bufio.NewReaderSize(stdout, 1<<20)
			for {
				b, err := br.ReadSlice('\n')
				for _, ch := range b {
					if ch == 'x' {
						xs++
					}
				}
				if err == io.EOF {
					break
				}
				if err != nil && err != bufio.ErrBufferFull {
					t.Fatal(err)
				}
			}
			if err := c.Wait(); err != nil {
				t.Fatalf("drover: %v", err)
			}
			rss := peak(t, rssFile)
			t.Logf("peak RSS %.1f MB for %d bytes of output", float64(rss)/(1<<20), xs)
			if xs != tt.bytes {
				t.Errorf("%d bytes arrived, want %d", xs, tt.bytes)
			}
			if rss > limit {
				t.Errorf("peak RSS %d bytes, over %d", rss, limit)
			}
		})
	}
}
