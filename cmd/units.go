package cmd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/drover/drover/cmd/console"
	"github.com/drover/drover/runner"
)

// sizeUnits are the suffixes a size may carry. K, M, G, T, with or without
// "iB", are powers of 1024, as in --max-record-size and GNU parallel;
// kB, MB, GB, TB and the lower-case k, m, g, t are powers of 1000.
var sizeUnits = map[string]float64{
	"": 1, "B": 1,
	"K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20,
	"G": 1 << 30, "GiB": 1 << 30, "T": 1 << 40, "TiB": 1 << 40,
	"k": 1e3, "kB": 1e3, "KB": 1e3, "m": 1e6, "MB": 1e6,
	"g": 1e9, "GB": 1e9, "t": 1e12, "TB": 1e12,
}

// parseSize reads a byte count such as "65536", "512KiB", "2G" or
// "1.5GiB", and refuses one outside lo to hi bytes.
func parseSize(s string, lo, hi int64) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	mult, ok := sizeUnits[strings.TrimSpace(t[i:])]
	num, err := strconv.ParseFloat(t[:i], 64)
	if ok && err == nil && i > 0 {
		if n := math.Floor(num * mult); n >= float64(lo) && n <= float64(hi) {
			return int64(n), nil
		}
	}
	return 0, fmt.Errorf("%q is not a size from %s to %s (examples: 65536, 512KiB, 2G, 1.5GiB)", s, console.Bytes(float64(lo)), console.Bytes(float64(hi)))
}

// parseRate reads a --rate: N starts per second, minute or hour ("5/s",
// "100/m", "1000/h"), or per any duration ("3/10s").
func parseRate(s string) (runner.Rate, error) {
	num, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 {
		return runner.Rate{}, fmt.Errorf("%q is not a rate such as 5/s, 100/m or 3/10s", s)
	}
	d, ok := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[per]
	if !ok {
		if d, err = time.ParseDuration(per); err != nil || d <= 0 {
			return runner.Rate{}, fmt.Errorf("%q is not a rate such as 5/s, 100/m or 3/10s", s)
		}
	}
	if d/time.Duration(n) <= 0 {
		return runner.Rate{}, fmt.Errorf("%q is faster than one start a nanosecond", s)
	}
	return runner.Rate{Starts: n, Per: d, Burst: 1}, nil
}

// cpuRelative reads a count given as GNU parallel's --jobs takes it: N,
// N% of the CPUs, or +N / -N added to or taken from the CPUs (cpus).
func cpuRelative(s string, cpus int) (float64, bool) {
	s = strings.TrimSpace(s)
	var n float64
	var err error
	switch {
	case strings.HasSuffix(s, "%"):
		n, err = strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		n = n * float64(cpus) / 100
	case strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-"):
		var d int
		d, err = strconv.Atoi(s)
		n = float64(cpus + d)
	default:
		n, err = strconv.ParseFloat(s, 64)
	}
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}
