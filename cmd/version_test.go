package cmd

import (
	"strings"
	"testing"
)

// TestVersionStartsWithV: whatever the build was given (nothing, a tag, or
// a bare commit from a clone without tags), the version reads "drover v…".
func TestVersionStartsWithV(t *testing.T) {
	defer func(v, c string) { version, commit = v, c }(version, commit)
	for given, want := range map[string]string{"": "drover v", "v1.4.0": "drover v1.4.0 (commit abc1234, ", "95411a7": "drover v0.0.0-dev+95411a7 (commit abc1234, "} {
		version, commit = given, "abc1234"
		if got := versionString(); !strings.HasPrefix(got, want) {
			t.Errorf("version %q: %q, want it to start with %q", given, got, want)
		}
	}
}
