//go:build darwin || freebsd

package runner

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// SysctlMemory reads the memory available from sysctl, where there is no
// /proc/meminfo: the pages free, and those the system gives back without
// writing them anywhere (the counters in availablePages), times the page
// size. Like MemAvailable on Linux, it counts the file cache as
// available, since the system drops it for whatever needs memory.
type SysctlMemory struct{}

// Available returns the bytes available.
func (SysctlMemory) Available() (int64, error) {
	page, err := sysctlValue(pageSizeName)
	if err != nil {
		return 0, err
	}
	var pages int64
	for _, name := range availablePages {
		n, err := sysctlValue(name)
		if err != nil {
			return 0, err
		}
		pages += n
	}
	return pages * page, nil
}

// SysctlLoad reads how busy the machine is from sysctl's vm.loadavg: its
// 1-minute load average. Without /proc/loadavg's count of what is
// runnable now, a limit on it follows jobs starting and ending only as
// the average does, over about a minute.
type SysctlLoad struct{}

// Runnable returns the 1-minute load average.
func (SysctlLoad) Runnable() (float64, error) {
	b, err := unix.SysctlRaw("vm.loadavg")
	if err != nil {
		return 0, fmt.Errorf("sysctl vm.loadavg: %w", err)
	}
	return loadavg(b)
}

func sysctlValue(name string) (int64, error) {
	b, err := unix.SysctlRaw(name)
	if err != nil {
		return 0, fmt.Errorf("sysctl %s: %w", name, err)
	}
	return sysctlInt(name, b)
}

// defaultMemory is what --memfree reads unless told otherwise.
func defaultMemory() MemorySource { return SysctlMemory{} }

// defaultLoad is what --load reads unless told otherwise.
func defaultLoad() LoadSource { return SysctlLoad{} }
