package jobspec

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// idTable is the slot array of an idSet, mapped outside the Go heap: a
// million ids would otherwise make the garbage collector let the heap grow
// by as much again before it runs. free returns the memory at once.
type idTable struct {
	slots  []uint64
	mapped []byte // nil when the slots are an ordinary Go slice
}

func newIDTable(n int) idTable {
	b, err := unix.Mmap(-1, 0, n*8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return idTable{slots: make([]uint64, n)}
	}
	return idTable{slots: unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n), mapped: b}
}

func (t *idTable) free() {
	if t.mapped != nil {
		unix.Munmap(t.mapped)
	}
	t.slots, t.mapped = nil, nil
}
