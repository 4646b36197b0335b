package jobspec

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchInput is n NDJSON records shaped like real job lists.
func benchInput(n int, withIDs bool) []byte {
	var b bytes.Buffer
	for i := range n {
		if withIDs {
			fmt.Fprintf(&b, `{"id":"job-%d","cmd":["echo","hello","%d"],"timeout":"30s","retries":1}`+"\n", i, i)
		} else {
			fmt.Fprintf(&b, `{"cmd":["echo","hello","%d"],"timeout":"30s","retries":1}`+"\n", i)
		}
	}
	return b.Bytes()
}

// BenchmarkDecode measures records decoded and validated per second.
func BenchmarkDecode(b *testing.B) {
	for _, tt := range []struct {
		name    string
		withIDs bool
		format  Format
	}{
		{"ndjson-ids", true, FormatNDJSON},
		{"ndjson-default-ids", false, FormatNDJSON},
	} {
		input := benchInput(10000, tt.withIDs)
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(input)))
			b.ReportAllocs()
			for b.Loop() {
				decodeCount(b, input, Options{Format: tt.format}, 10000)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/record")
		})
	}
}

// decodeCount decodes every job of input and fails b unless there are want.
func decodeCount(b *testing.B, input []byte, opts Options, want int) {
	d := NewDecoder(bytes.NewReader(input), "bench", opts)
	defer d.Close()
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
	if n != want {
		b.Fatalf("%d jobs, want %d", n, want)
	}
}
