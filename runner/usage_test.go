package runner

import (
	"testing"
	"time"
)

// A job's usage covers its main process and the children it waited for:
// the 64 MiB buffer of dd, a child of the shell, is in the peak, and the
// shell's own loop in the CPU time. Retries add up their CPU time.
func TestUsageOfAJob(t *testing.T) {
	cfg := baseConfig()
	cfg.Retries = 1
	job := shellJob("a", `dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; exit 1`)
	results, _, err := run(t, cfg, job)
	if err != nil {
		t.Fatal(err)
	}
	res := results["a"]
	if res == nil || res.Attempts != 2 {
		t.Fatalf("result %+v, want 2 attempts", res)
	}
	if res.Usage.MaxRSS < 64<<20 {
		t.Errorf("max RSS %d, want at least the 64 MiB dd held", res.Usage.MaxRSS)
	}
	if res.Usage.User <= 0 {
		t.Errorf("user time %s, want some", res.Usage.User)
	}
	rec := NewRecord(res)
	if rec.MaxRSSBytes != res.Usage.MaxRSS || rec.UserMS != res.Usage.User.Milliseconds() || rec.SysMS != res.Usage.Sys.Milliseconds() {
		t.Errorf("record %+v does not carry the usage %+v", rec, res.Usage)
	}
}

func TestUsageAdd(t *testing.T) {
	var u Usage
	u.Add(Usage{MaxRSS: 10, User: time.Second, Sys: 2 * time.Second})
	u.Add(Usage{MaxRSS: 5, User: time.Second, Sys: time.Second})
	if want := (Usage{MaxRSS: 10, User: 2 * time.Second, Sys: 3 * time.Second}); u != want {
		t.Errorf("%+v, want %+v", u, want)
	}
	if u.CPU() != 5*time.Second {
		t.Errorf("CPU %s", u.CPU())
	}
}
