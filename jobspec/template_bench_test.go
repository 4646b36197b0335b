package jobspec

import (
	"bytes"
	"fmt"
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
				decodeCount(b, tt.input, tt.opts, 10000)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/job")
		})
	}
}
