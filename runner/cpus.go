package runner

import (
	"runtime"
	"strconv"
	"strings"
)

// CPUs is how many CPUs drover's jobs can keep busy: the CPUs it may run
// on (runtime.NumCPU, which follows the affinity mask), capped by the
// cgroup v2 CPU quota (cpu.max) of its group and of each parent, rounded
// up, and never below 1. root is the machine's "/" but in tests.
func CPUs(root string) int {
	return cpus(root, runtime.NumCPU())
}

func cpus(root string, online int) int {
	n := float64(max(online, 1))
	for _, dir := range cgroupDirs(root) {
		s, ok := readCgroupFile(dir, "cpu.max")
		if !ok {
			continue
		}
		f := strings.Fields(s) // "QUOTA PERIOD", QUOTA may be "max"
		if len(f) != 2 || f[0] == "max" {
			continue
		}
		quota, err1 := strconv.ParseFloat(f[0], 64)
		period, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil || quota <= 0 || period <= 0 {
			continue
		}
		n = min(n, quota/period)
	}
	c := int(n)
	if float64(c) < n {
		c++
	}
	return max(c, 1)
}
