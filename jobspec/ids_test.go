package jobspec

import (
	"fmt"
	"strings"
	"testing"
)

func TestIDSetFindsEveryDuplicate(t *testing.T) {
	s := newIDSet()
	const n = 200000 // past many table growths and arena chunks
	for i := range n {
		id := fmt.Sprintf("job-%d-%s", i, strings.Repeat("z", i%300/2))
		if _, dup := s.addGiven(id, i+1, i+1); dup {
			t.Fatalf("%s reported taken the first time", id)
		}
	}
	for _, i := range []int{0, 1, 4095, 65535, n - 1} {
		id := fmt.Sprintf("job-%d-%s", i, strings.Repeat("z", i%300/2))
		if line, dup := s.addGiven(id, 0, 0); !dup || line != i+1 {
			t.Errorf("%s: taken=%v line %d, want line %d", id, dup, line, i+1)
		}
	}
}

func TestIDSetDefaultIDs(t *testing.T) {
	s := newIDSet()
	if _, dup := s.addGiven("7", 3, 3); dup {
		t.Fatal("7 taken")
	}
	if line, dup := s.addDefault(7); !dup || line != 3 {
		t.Errorf("default 7 after given 7: %v %d", dup, line)
	}
	s.addDefault(9)
	if n, dup := s.addGiven("9", 12, 12); !dup || n != -9 {
		t.Errorf("given 9 after default 9: %v %d", dup, n)
	}
	for _, id := range []string{"09", "9.0", "+9", " 9", "1000000000"} {
		if _, dup := s.addGiven(id, 1, 1); dup {
			t.Errorf("%q clashes with a default id", id)
		}
	}
}

func TestEscapeID(t *testing.T) {
	for in, want := range map[string]string{
		"plain":     "plain",
		"a\nb":      `a\nb`,
		"c\td\r":    `c\td\r`,
		"x\x01\x7f": `x\x01\x7f`,
		"c1\u0085":  `c1\u0085`,
		`back\n`:    `back\n`,
		"ünï":       "ünï",
	} {
		got := EscapeID(in)
		if got != want {
			t.Errorf("EscapeID(%q) = %q, want %q", in, got, want)
		}
		if err := ValidateID(got); err != nil {
			t.Errorf("EscapeID(%q) = %q, which %v", in, got, err)
		}
	}
}
