package input

import (
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
)

func TestCheckAllStopsWhenInterrupted(t *testing.T) {
	dec := jobspec.NewDecoder(strings.NewReader(strings.Repeat(`{"cmd":"true"}`+"\n", 5000)), "jobs", jobspec.Options{})
	calls := 0
	res, err := Check(dec, jobspec.Shard{}, func(error) {}, func() bool { calls++; return calls > 2 })
	if err != ErrInterrupted || res.Records >= 5000 {
		t.Fatalf("err %v after %d records", err, res.Records)
	}
}
