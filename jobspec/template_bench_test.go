package jobspec

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// BenchmarkTemplated measures jobs built from a template per second, beside
// the same commands decoded from NDJSON job objects.
func BenchmarkTemplated(b *testing.B) {
	var items, records bytes.Buffer
	for i := range 10000 {
		fmt.Fprintf(&items, "dir/file-%d.log\n", i)
		fmt.Fprintf(&records, `{"cmd":"gzip -9 dir/file-%d.log"}`+"\n", i)
	}
	tm, err := NewJobTemplate(TemplateOptions{Command: "gzip -9 {}", Input: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		input []byte
		opts  Options
	}{
		{"ndjson", records.Bytes(), Options{Format: FormatNDJSON}},
		{"template", items.Bytes(), Options{Template: tm}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d := NewDecoder(bytes.NewReader(tt.input), "bench", tt.opts)
				n := 0
				for {
					_, err := d.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				d.Close()
				if n != 10000 {
					b.Fatalf("%d jobs", n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/job")
		})
	}
}
