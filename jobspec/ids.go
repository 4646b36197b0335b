package jobspec

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"os"
	"strconv"
)

// idSet remembers every id of an input exactly, in little memory, so that
// a duplicate is found however long the input is.
//
// Ids given in records are appended to an arena (each entry: the record's
// line, its Seq, the id's length, the id). Tables hold, per id, 32 bits of its hash
// and its entry's offset, 8 bytes a slot, outside the Go heap (idTable).
// There are 256 of them, chosen by the hash's top byte: each grows on its
// own, small enough to stay in the processor's cache while it does, and
// moves its slots by their stored hashes, so growing never reads the arena
// and never holds two copies of much. The arena stays in memory up to
// arenaInMemory bytes and then moves to an unlinked temporary file; it is
// read back only when an id's hash matches a slot's, which in practice
// means a real duplicate. Default ids, which are record numbers, are kept
// as bits.
//
// An idSet is used by one goroutine; close releases it.
type idSet struct {
	seed     maphash.Seed
	tables   [256]idTable
	counts   [256]int
	arena    idArena
	defaults []uint64
	scratch  []byte
}

func newIDSet() *idSet { return &idSet{seed: maphash.MakeSeed()} }

func (s *idSet) close() {
	for i := range s.tables {
		s.tables[i].free()
	}
	s.arena.close()
}

// addGiven records an id given in a record on line. When the id is taken,
// it returns the line of the record that took it, or, when it is the
// default id of record n, -n.
func (s *idSet) addGiven(id string, line, seq int) (taken int, dup bool) {
	if n, ok := recordNumber(id); ok && s.hasDefault(n) {
		return -n, true
	}
	h := s.hash([]byte(id))
	slot, found, at := s.find(h, []byte(id))
	if found {
		return at, true
	}
	off, ok := s.arena.add(line, seq, id)
	if !ok {
		return 0, false // the arena is full (4 GiB of ids): stop checking
	}
	t := h >> 24
	s.tables[t].slots[slot] = uint64(h)<<32 | uint64(off+1)
	s.counts[t]++
	if s.counts[t]*5 > len(s.tables[t].slots)*4 {
		s.grow(t)
	}
	return 0, false
}

// addDefault records the default id n (a record number). When an earlier
// record was given the same id, it returns that record's line.
func (s *idSet) addDefault(n int) (taken int, dup bool) {
	s.scratch = strconv.AppendInt(s.scratch[:0], int64(n), 10)
	if _, found, at := s.find(s.hash(s.scratch), s.scratch); found {
		return at, true
	}
	for len(s.defaults) <= n/64 {
		s.defaults = append(s.defaults, 0)
	}
	s.defaults[n/64] |= 1 << (n % 64)
	return 0, false
}

func (s *idSet) hasDefault(n int) bool {
	return n/64 < len(s.defaults) && s.defaults[n/64]&(1<<(n%64)) != 0
}

// recordNumber reads an id that is written as a default id would be.
func recordNumber(id string) (int, bool) {
	if id == "" || id[0] == '0' || len(id) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return 0, false
		}
		n = n*10 + int(id[i]-'0')
	}
	return n, true
}

func (s *idSet) hash(id []byte) uint32 { return uint32(maphash.Bytes(s.seed, id)) }

// start is the first slot to probe for hash h in a table of n slots: the
// hash's low 24 bits (the top 8 chose the table) scaled to the table.
func start(h uint32, n int) int { return int(uint64(h&0xffffff) * uint64(n) >> 24) }

// next is the slot probed after i.
func next(i, n int) int {
	if i++; i == n {
		return 0
	}
	return i
}

// find returns the slot holding id (found, with its record's line) or the
// empty slot where it would go.
func (s *idSet) find(h uint32, id []byte) (slot int, found bool, line int) {
	t := &s.tables[h>>24]
	if t.slots == nil {
		*t = newIDTable(512) // 4 KiB: one page
	}
	slots := t.slots
	for i := start(h, len(slots)); ; i = next(i, len(slots)) {
		v := slots[i]
		if v == 0 {
			return i, false, 0
		}
		if uint32(v>>32) == h {
			if e := s.arena.get(uint32(v) - 1); bytes.Equal(e.id, id) {
				return i, true, e.line
			}
		}
	}
}

// grow moves table t to one half as large again, placing each slot by the
// hash it stores.
func (s *idSet) grow(t uint32) {
	old := s.tables[t]
	n := len(old.slots) * 3 / 2
	s.tables[t] = newIDTable(n)
	slots := s.tables[t].slots
	for _, v := range old.slots {
		if v != 0 {
			i := start(uint32(v>>32), n)
			for slots[i] != 0 {
				i = next(i, n)
			}
			slots[i] = v
		}
	}
	old.free()
}

// arenaInMemory is how large the arena grows in memory before it moves to
// a file.
const arenaInMemory = 1 << 20

// idArena stores the entries of an idSet: in memory, then in an unlinked
// temporary file, written through a buffer and read back with ReadAt.
type idArena struct {
	mem  []byte
	file *os.File
	w    *bufio.Writer
	size int64
	buf  []byte
}

func (a *idArena) add(line, seq int, id string) (uint32, bool) {
	if a.size+int64(len(id))+30 >= 1<<32-1 {
		return 0, false
	}
	var head [3 * binary.MaxVarintLen64]byte
	n := binary.PutUvarint(head[:], uint64(line))
	n += binary.PutUvarint(head[n:], uint64(seq))
	n += binary.PutUvarint(head[n:], uint64(len(id)))
	off := uint32(a.size)
	a.size += int64(n + len(id))
	if a.file == nil {
		a.mem = append(append(a.mem, head[:n]...), id...)
		if len(a.mem) > arenaInMemory {
			a.spill()
		}
		return off, true
	}
	a.w.Write(head[:n])
	a.w.WriteString(id)
	return off, true
}

// spill moves the arena to a temporary file, removed at once so that it
// disappears with drover whatever happens. Without a file the arena stays
// in memory.
func (a *idArena) spill() {
	f, err := os.CreateTemp("", "drover-ids-")
	if err != nil {
		return
	}
	os.Remove(f.Name())
	if _, err := f.Write(a.mem); err != nil {
		f.Close()
		return
	}
	a.file, a.w, a.mem = f, bufio.NewWriterSize(f, 64<<10), nil
}

// arenaEntry is one id of the arena with the record that gave it; size is
// the entry's length in the arena.
type arenaEntry struct {
	line, seq, size int
	id              []byte
}

func (a *idArena) get(off uint32) arenaEntry {
	b := a.mem
	if a.file != nil {
		if a.w.Buffered() > 0 {
			a.w.Flush()
		}
		if a.buf == nil {
			a.buf = make([]byte, 3*binary.MaxVarintLen64+MaxIDLength)
		}
		n, _ := a.file.ReadAt(a.buf, int64(off))
		b, off = a.buf[:n], 0
	}
	return readEntry(b[off:])
}

// readEntry decodes the entry at the start of b; its size is 0 when b
// does not hold a whole entry.
func readEntry(b []byte) arenaEntry {
	l, n := binary.Uvarint(b)
	if n <= 0 {
		return arenaEntry{}
	}
	seq, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return arenaEntry{}
	}
	n += m
	size, m := binary.Uvarint(b[n:])
	if m <= 0 || n+m+int(size) > len(b) {
		return arenaEntry{}
	}
	n += m
	return arenaEntry{line: int(l), seq: int(seq), size: n + int(size), id: b[n : n+int(size)]}
}

func (a *idArena) close() {
	if a.file != nil {
		a.file.Close()
		a.file = nil
	}
	a.mem = nil
}
