package runner

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// A job's stream read into a spool through a pipe: memory first, then
// spliced into the spill file; written back whole and in order, with
// sendfile into a file and into a pipe, and by copying into a buffer.
func TestSpoolReadFromPipeAndSendFile(t *testing.T) {
	var want bytes.Buffer
	for i := 0; want.Len() < 3<<20; i++ {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	for _, tail := range []string{"", "no newline"} {
		data := append(want.Bytes()[:want.Len():want.Len()], tail...)
		dir := &SpoolDir{}
		t.Cleanup(func() { dir.Remove() })
		s := &Spool{Dir: dir, Limit: 1000}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { w.Write(data); w.Close() }()
		n, err := s.ReadFrom(r)
		r.Close()
		if err != nil || n != int64(len(data)) || s.Len() != n {
			t.Fatalf("ReadFrom: %d, %v; Len %d; want %d", n, err, s.Len(), len(data))
		}
		if s.file == nil {
			t.Fatal("the spool did not spill")
		}
		if s.EndsLine() != (tail == "") {
			t.Errorf("EndsLine %v with tail %q", s.EndsLine(), tail)
		}
		var buf bytes.Buffer
		if _, err := s.WriteTo(&buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("WriteTo a buffer: %v, %d bytes, want %d", err, buf.Len(), len(data))
		}
		out, err := os.Create(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WriteTo(out); err != nil {
			t.Fatal(err)
		}
		out.Close()
		if got, _ := os.ReadFile(out.Name()); !bytes.Equal(got, data) {
			t.Fatalf("WriteTo a file: %d bytes differ from the %d written", len(got), len(data))
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte)
		go func() { b, _ := io.ReadAll(pr); got <- b }()
		if _, err := s.WriteTo(pw); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		if b := <-got; !bytes.Equal(b, data) {
			t.Fatalf("WriteTo a pipe: %d bytes differ from the %d written", len(b), len(data))
		}
		pr.Close()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
