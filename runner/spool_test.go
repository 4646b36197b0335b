package runner

import (
	"bytes"
	"path/filepath"
	"testing"
)

// A spill that fails keeps its error for Err; WriteTo writes what came
// before it, once, and its own error is only the destination's.
func TestSpoolSpillFailure(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	var dir SpoolDir
	defer dir.Remove()
	s := &Spool{Dir: &dir, Limit: 4}
	s.Write([]byte("head"))
	s.Write([]byte("lost"))
	if s.Err() == nil {
		t.Fatal("Err is nil after a spill that could not be made")
	}
	if err := s.Park(); err != nil {
		t.Fatalf("Park: %v", err)
	}
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil || b.String() != "head" {
		t.Fatalf("WriteTo: %q, %v; want %q, nil", b.String(), err, "head")
	}
	s.Close()
}

// A Park that fails leaves the spool as it was: everything is written
// once.
func TestSpoolParkFailureWritesOnce(t *testing.T) {
	var dir SpoolDir
	defer dir.Remove()
	s := &Spool{Dir: &dir, Limit: 4}
	s.Write([]byte("abc"))
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	if err := s.Park(); err == nil {
		t.Fatal("Park made a file in a directory that is not there")
	}
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil || b.String() != "abc" {
		t.Fatalf("WriteTo: %q, %v; want %q once", b.String(), err, "abc")
	}
	s.Close()
}
