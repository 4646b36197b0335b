package cmd

import (
	"testing"
	"time"

	"github.com/drover/drover/runner"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"1": 1, "65536": 65536, "512KiB": 512 << 10, "512K": 512 << 10, "1MiB": 1 << 20, "2G": 2 << 30,
		"1.5GiB": 3 << 29, " 3 M ": 3 << 20, "1T": 1 << 40, "2k": 2000, "2kB": 2000, "1.5GB": 1.5e9, "1g": 1e9, "7B": 7,
	}
	for s, want := range good {
		if got, err := parseSize(s, 1, 1<<50); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "G", "-1", "1X", "1.5.5M", "0", "0.1", "1 GiBs", "2^10", "1e3", "NaN", "Inf"} {
		if got, err := parseSize(s, 1, 1<<50); err == nil {
			t.Errorf("%q accepted as %d", s, got)
		}
	}
	if _, err := parseSize("2GiB", 1, 1<<30); err == nil {
		t.Error("a size above the bound accepted")
	}
	if n, err := parseSize("1GiB", 1, 1<<30); err != nil || n != 1<<30 {
		t.Errorf("the bound itself: %d, %v", n, err)
	}
}

func TestParseRate(t *testing.T) {
	good := map[string]runner.Rate{
		"5/s":    {Starts: 5, Per: time.Second, Burst: 1},
		"100/m":  {Starts: 100, Per: time.Minute, Burst: 1},
		"1/h":    {Starts: 1, Per: time.Hour, Burst: 1},
		"3/10s":  {Starts: 3, Per: 10 * time.Second, Burst: 1},
		" 2/1m ": {Starts: 2, Per: time.Minute, Burst: 1},
	}
	for s, want := range good {
		if got, err := parseRate(s); err != nil || got != want {
			t.Errorf("%q: %+v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "5", "5/", "/s", "0/s", "-1/s", "1.5/s", "5/x", "5/-1s", "5/0s", "2/1ns"} {
		if got, err := parseRate(s); err == nil {
			t.Errorf("%q accepted as %+v", s, got)
		}
	}
}

func TestCPURelative(t *testing.T) {
	for s, want := range map[string]float64{"4": 4, "100%": 8, "50%": 4, "12.5%": 1, "+2": 10, "-3": 5, "-10": -2, "1.5": 1.5} {
		if got, ok := cpuRelative(s, 8); !ok || got != want {
			t.Errorf("%q: %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "x", "%", "+", "+1.5", "NaN", "Inf", "1e400"} {
		if got, ok := cpuRelative(s, 8); ok {
			t.Errorf("%q accepted as %v", s, got)
		}
	}
}

func TestJobsValue(t *testing.T) {
	eight := func() int { return 8 }
	for s, want := range map[string]int{"4": 4, "0": jobsAsManyAsPossible(openFileLimit()), "100%": 8, "50%": 4, "150%": 12, "1%": 1, "0%": 1, "+2": 10, "-3": 5, "-100": 1} {
		var n int
		if err := (jobsValue{n: &n, cpus: eight}).Set(s); err != nil || n != want {
			t.Errorf("-j %s: %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range []string{"", "2.5", "x", "+x", "%", "99999999999999%"} {
		var n int
		if err := (jobsValue{n: &n, cpus: eight}).Set(s); err == nil {
			t.Errorf("-j %q accepted as %d", s, n)
		}
	}
}

func TestThrottleOptions(t *testing.T) {
	o := throttleOptions{delay: time.Second, rate: "5/s", memfree: "2G", load: "3.5"}
	th, err := o.throttle()
	want := runner.Throttle{Delay: time.Second, Rate: runner.Rate{Starts: 5, Per: time.Second, Burst: 1}, MemFree: 2 << 30, Load: 3.5}
	if err != nil || th != want {
		t.Fatalf("%+v, %v", th, err)
	}
	for _, bad := range []throttleOptions{{delay: -time.Second}, {rate: "5"}, {memfree: "2X"}, {memfree: "0"}, {load: "0"}, {load: "-100000"}, {load: "lots"}} {
		if _, err := bad.throttle(); err == nil || exitCode(err) != exitUsage {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
