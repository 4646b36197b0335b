package records

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutputsCheck(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	for _, name := range []string{"jobs", "res", "out/1.stdout"} {
		os.MkdirAll(filepath.Dir(at(name)), 0o755)
		if err := os.WriteFile(at(name), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("jobs", at("sym")))
	must(os.Link(at("jobs"), at("hard")))
	must(os.Symlink("new", at("dangling")))
	must(os.Link(at("res"), at("out/2.stderr")))

	tests := []struct {
		name  string
		build func(o *Outputs)
		clash string // "" for none
	}{
		{"apart", func(o *Outputs) {
			o.AddInputPath("FILE", at("jobs"))
			o.Add("--results", at("res"))
			o.Add("--junit", at("new"))
		}, ""},
		{"same name", func(o *Outputs) { o.Add("--results", at("res")); o.Add("--summary-json", at("res")) }, "--results and --summary-json both name"},
		{"the input", func(o *Outputs) { o.AddInputPath("FILE", at("jobs")); o.Add("--results", at("jobs")) }, "FILE and --results"},
		{"symbolic link", func(o *Outputs) { o.AddInputPath("FILE", at("jobs")); o.Add("--html", at("sym")) }, "are the same file"},
		{"hard link", func(o *Outputs) { o.AddInputPath("FILE", at("jobs")); o.Add("--html", at("hard")) }, "are the same file"},
		{"link to a file not made yet", func(o *Outputs) { o.Add("--events", at("dangling")); o.Add("--junit", at("new")) }, "are the same file"},
		{"two inputs", func(o *Outputs) { o.AddInputPath("RESULTS", at("res")); o.AddInputPath("RESULTS", at("res")) }, ""},
		{"a device twice", func(o *Outputs) { o.Add("--junit", os.DevNull); o.Add("--html", os.DevNull) }, ""},
		{"made in the output directory", func(o *Outputs) { o.Add("--results", at("out/3.stdout")); o.AddDir("--output-dir", at("out")) }, "--results"},
		{"linked into the output directory", func(o *Outputs) { o.Add("--results", at("res")); o.AddDir("--output-dir", at("out")) }, "2.stderr are the same file"},
		{"other names in the output directory", func(o *Outputs) { o.Add("--results", at("out/res.ndjson")); o.AddDir("--output-dir", at("out")) }, ""},
		{"an output directory not made yet", func(o *Outputs) { o.Add("--results", at("later/1.stdout")); o.AddDir("--output-dir", at("later")) }, "--output-dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Outputs
			tt.build(&o)
			err := o.Check()
			switch {
			case tt.clash == "" && err != nil:
				t.Errorf("Check: %v, want none", err)
			case tt.clash != "" && (!errors.Is(err, ErrSameFile) || !strings.Contains(err.Error(), tt.clash)):
				t.Errorf("Check: %v, want a clash with %q", err, tt.clash)
			}
		})
	}
}
