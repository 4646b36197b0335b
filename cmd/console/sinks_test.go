package console

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestFileNameNeverEscapesOrCollides(t *testing.T) {
	ids := []string{"plain", "a.b-c_d", ".", "..", "../x", "/etc/x", "x/../../y", ".hidden", "a b", "a_b", "a~b",
		"_._x", "_etc_x", "ünïcode", strings.Repeat("a", 200), strings.Repeat("a", 201), strings.Repeat("é", 128), "a\\b", "CON", "-n"}
	// Every id's hashed name, given back as an id, must not collide either.
	for _, id := range append([]string(nil), ids...) {
		ids = append(ids, fileName(id))
	}
	seen := map[string]string{}
	for _, id := range ids {
		name := fileName(id)
		switch {
		case name == "" || name == "." || name == ".." || strings.HasPrefix(name, "."):
			t.Errorf("%q -> %q: not a plain name", id, name)
		case strings.ContainsAny(name, "/\\\x00"):
			t.Errorf("%q -> %q: has a separator", id, name)
		case len(name)+len(".stdout") > 255:
			t.Errorf("%q -> %q: too long for a file name", id, name)
		}
		if other, ok := seen[name]; ok && other != id {
			t.Errorf("%q and %q share the name %q", id, other, name)
		}
		seen[name] = id
	}
}

func TestLineWriterPrefixesAndSplits(t *testing.T) {
	chunks := make(chan chunk, 100)
	var dst bytes.Buffer
	w := &lineWriter{dst: &dst, prefix: "[j] ", chunks: chunks}
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\nthr"))
	w.Write(bytes.Repeat([]byte("z"), 2*maxLine+10))
	close(chunks)
	var got strings.Builder
	for c := range chunks {
		got.Write(c.data)
	}
	got.Write(w.flush())
	lines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
	if len(lines) != 5 || lines[0] != "[j] one" || lines[1] != "[j] two" {
		t.Fatalf("lines %d: %.40q", len(lines), lines)
	}
	if lines[2] != "[j] thr"+strings.Repeat("z", maxLine-3) || len(lines[3]) != 4+maxLine || lines[4] != "[j] "+strings.Repeat("z", 13) {
		t.Errorf("overlong line split wrongly: %d %d %d", len(lines[2]), len(lines[3]), len(lines[4]))
	}
}

// Every chunk is the writer's no more once sent: later writes never change
// what an earlier chunk holds, though buffers are shared.
func TestLineWriterChunksAreNotReused(t *testing.T) {
	chunks := make(chan chunk, 100)
	w := &lineWriter{dst: io.Discard, prefix: "[j] ", chunks: chunks}
	var want []string
	for i := range 50 {
		line := strings.Repeat(string(rune('a'+i%26)), 1000)
		w.Write([]byte(line + "\n" + line + "\n"))
		want = append(want, "[j] "+line+"\n[j] "+line+"\n")
		if i%2 == 0 {
			c := <-chunks // written and given back, as the terminal does
			if string(c.data) != want[0] {
				t.Fatalf("chunk %d: %.20q, want %.20q", i, c.data, want[0])
			}
			want = want[1:]
			c.release()
		}
	}
	close(chunks)
	for c := range chunks {
		if string(c.data) != want[0] {
			t.Fatalf("%.20q, want %.20q", c.data, want[0])
		}
		want = want[1:]
	}
}

// A line that grows past maxLine across writes is cut at maxLine.
func TestLineWriterCutsALineGrownAcrossWrites(t *testing.T) {
	chunks := make(chan chunk, 10)
	w := &lineWriter{dst: io.Discard, prefix: "> ", chunks: chunks}
	w.Write(bytes.Repeat([]byte("x"), maxLine-10))
	w.Write(append(bytes.Repeat([]byte("y"), 20), '\n'))
	close(chunks)
	var got []byte
	for c := range chunks {
		got = append(got, c.data...)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != 2 || len(lines[0]) != 2+maxLine || lines[1] != "> "+strings.Repeat("y", 10) {
		t.Fatalf("%d lines: %d bytes, %.20q", len(lines), len(lines[0]), lines[len(lines)-1])
	}
}
