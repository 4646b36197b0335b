package runner

import (
	"testing"
	"time"
)

func TestHeaviestKeepsTheTopOfEach(t *testing.T) {
	h := NewHeaviest(2)
	h.Add("small", Usage{MaxRSS: 1, User: time.Millisecond})
	h.Add("idle", Usage{})
	h.Add("big", Usage{MaxRSS: 100, User: time.Millisecond})
	h.Add("busy", Usage{MaxRSS: 10, User: time.Second, Sys: time.Second})
	h.Add("tie", Usage{MaxRSS: 10})
	ids := func(l []Heavy) (s []string) {
		for _, j := range l {
			s = append(s, j.ID)
		}
		return s
	}
	if got := ids(h.Memory); len(got) != 2 || got[0] != "big" || got[1] != "busy" {
		t.Errorf("memory %v, want [big busy]", got)
	}
	if got := ids(h.CPU); len(got) != 2 || got[0] != "busy" || got[1] != "small" {
		t.Errorf("cpu %v, want [busy small]", got)
	}
	if NewHeaviest(2).Empty() != true || h.Empty() {
		t.Error("Empty is wrong")
	}
}
