package runner

import (
	"runtime"
	"strconv"
	"strings"
)

// CPUs is how many CPUs drover's jobs can keep busy: the CPUs it may run
// on (runtime.NumCPU, which follows the affinity mask), capped by the
// cgroup CPU quota of its group and of each parent (v2 cpu.max, v1
// cpu.cfs_quota_us / cpu.cfs_period_us), rounded up, and never below 1. root is the machine's "/" but in tests.
func CPUs(root string) int {
	return cpus(root, runtime.NumCPU())
}

func cpus(root string, online int) int {
	n := float64(max(online, 1))
	for _, dir := range cgroupDirs(root) {
		s, ok := readCgroupFile(dir, "cpu.max")
		f := strings.Fields(s) // "QUOTA PERIOD", QUOTA may be "max"
		if !ok || len(f) != 2 {
			continue
		}
		quota, err1 := strconv.ParseFloat(f[0], 64)
		period, err2 := strconv.ParseFloat(f[1], 64)
		if err1 == nil && err2 == nil && quota > 0 && period > 0 {
			n = min(n, quota/period)
		}
	}
	for _, dir := range cgroupV1Dirs(root, "cpu") {
		quota, ok1 := readCgroupInt(dir, "cpu.cfs_quota_us") // -1: none
		period, ok2 := readCgroupInt(dir, "cpu.cfs_period_us")
		if ok1 && ok2 && quota > 0 && period > 0 {
			n = min(n, float64(quota)/float64(period))
		}
	}
	c := int(n)
	if float64(c) < n {
		c++
	}
	return max(c, 1)
}
