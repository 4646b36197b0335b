package runner

import (
	"encoding/binary"
	"fmt"
)

// The decoding of sysctl values, kept apart from the calls
// (sysctl_bsd.go) so that it is tested everywhere. Both are little-endian
// on every platform drover is built for with sysctl (darwin amd64 and
// arm64, FreeBSD amd64).

// sysctlInt decodes an integer sysctl value, of 4 bytes or 8: the width
// of a counter differs between systems and their versions.
func sysctlInt(name string, b []byte) (int64, error) {
	switch len(b) {
	case 4:
		return int64(binary.LittleEndian.Uint32(b)), nil
	case 8:
		return int64(binary.LittleEndian.Uint64(b)), nil
	}
	return 0, fmt.Errorf("sysctl %s: %d bytes, not an integer", name, len(b))
}

// loadavg decodes vm.loadavg, a struct loadavg { fixpt_t ldavg[3]; long
// fscale; } (fixpt_t a uint32, long 8 bytes and aligned on 8), and
// returns its 1-minute average.
func loadavg(b []byte) (float64, error) {
	if len(b) < 24 {
		return 0, fmt.Errorf("sysctl vm.loadavg: %d bytes, want 24", len(b))
	}
	scale := binary.LittleEndian.Uint64(b[16:24])
	if scale == 0 {
		return 0, fmt.Errorf("sysctl vm.loadavg: a scale of 0")
	}
	return float64(binary.LittleEndian.Uint32(b[0:4])) / float64(scale), nil
}
