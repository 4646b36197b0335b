package runner

import "testing"

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n          int
		word, want string
	}{{0, "job", "0 jobs"}, {1, "job", "1 job"}, {2, "retry", "2 retries"}, {1, "retry", "1 retry"}} {
		if got := Plural(tt.n, tt.word); got != tt.want {
			t.Errorf("Plural(%d, %q) = %q", tt.n, tt.word, got)
		}
	}
}
