package cmd

import (
	"strings"
	"testing"

	"github.com/drover/drover/cmd/iostreams"
)

func TestProtectLists(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	root := NewRootCmd(ios)
	tests := []struct{ in, want string }{
		{"run --cmd x ::: -v a", "run --cmd x -- ::: -v a"},
		{"run --cmd x FILE --timeout 1s ::: a ::: -j", "run --cmd x FILE --timeout 1s -- ::: a ::: -j"},
		{"run --colsep ::: --cmd x ::: a", "run --colsep ::: --cmd x -- ::: a"},
		{"run -qj ::: --cmd x ::: a", "run -qj ::: --cmd x -- ::: a"},
		{"run -j4 --cmd=x ::: a", "run -j4 --cmd=x -- ::: a"},
		{"run --cmd x -- ::: a", "run --cmd x -- ::: a"},
		{"validate --cmd x ::: --help", "validate --cmd x -- ::: --help"},
		{"report ::: a", "report ::: a"},
		{"run jobs.ndjson", "run jobs.ndjson"},
	}
	for _, tc := range tests {
		if got := strings.Join(protectLists(root, strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("protectLists(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
