package runner

import (
	"encoding/binary"
	"testing"
)

func TestSysctlInt(t *testing.T) {
	four := binary.LittleEndian.AppendUint32(nil, 16384)
	eight := binary.LittleEndian.AppendUint64(nil, 1<<40)
	for _, tc := range []struct {
		b    []byte
		want int64
		ok   bool
	}{{four, 16384, true}, {eight, 1 << 40, true}, {nil, 0, false}, {[]byte{1, 2}, 0, false}} {
		got, err := sysctlInt("x", tc.b)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("sysctlInt(%v) = %d, %v; want %d, ok %v", tc.b, got, err, tc.want, tc.ok)
		}
	}
}

func TestLoadavg(t *testing.T) {
	b := binary.LittleEndian.AppendUint32(nil, 3072) // 1.5 at a scale of 2048
	b = binary.LittleEndian.AppendUint32(b, 2048)
	b = binary.LittleEndian.AppendUint32(b, 1024)
	b = binary.LittleEndian.AppendUint32(b, 0) // padding before the long
	if got, err := loadavg(binary.LittleEndian.AppendUint64(b, 2048)); got != 1.5 || err != nil {
		t.Errorf("loadavg = %v, %v; want 1.5", got, err)
	}
	if _, err := loadavg(b); err == nil {
		t.Error("a short vm.loadavg was taken")
	}
	if _, err := loadavg(binary.LittleEndian.AppendUint64(b, 0)); err == nil {
		t.Error("a scale of 0 was taken")
	}
}
