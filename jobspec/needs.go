package jobspec

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// parseNeeds reads the ids a job waits for. Whether each names an earlier
// job is the Decoder's to check (resolveNeeds), once the record's own id is
// known.
func parseNeeds(job *Job, raw json.RawMessage) error {
	if describeValue(raw) != "an array" {
		return fmt.Errorf("must be an array of job ids, not %s", describeValue(raw))
	}
	var needs []Need
	err := elements(raw, func(i int, item []byte) error {
		id, err := decodeString(item)
		if err != nil {
			return fmt.Errorf("element %d %w", i, err)
		}
		if err := ValidateID(id); err != nil {
			return fmt.Errorf("element %d %w", i, err)
		}
		for _, n := range needs { // needs lists are short
			if n.ID == id {
				return fmt.Errorf("%q is listed twice", id)
			}
		}
		needs = append(needs, Need{ID: id})
		return nil
	})
	if err != nil {
		return err
	}
	if len(needs) == 0 {
		return errors.New("must list at least one job id")
	}
	job.Needs = needs
	return nil
}

func parseWhen(job *Job, raw json.RawMessage) error {
	s, err := decodeString(raw)
	if err != nil {
		return err
	}
	switch w := When(s); w {
	case WhenSuccess, WhenAlways, WhenFailure:
		job.When = w
		return nil
	}
	return fmt.Errorf("%q is not \"success\", \"always\" or \"failure\"", s)
}

// resolveNeeds gives each need of job the Seq of the earlier job it names.
// A need that names the job itself or no earlier job is an error, which
// suggests the closest id given so far.
func (d *Decoder) resolveNeeds(job *Job) error {
	for i := range job.Needs {
		n := &job.Needs[i]
		if n.ID == job.ID {
			return fmt.Errorf("field \"needs\": the job cannot need itself (%q)", n.ID)
		}
		seq, ok := d.ids.seqOf(n.ID, d.format == FormatLines)
		if !ok {
			return fmt.Errorf("field \"needs\": %q is not the id of an earlier job%s", n.ID, d.ids.suggest(n.ID, job.ID))
		}
		n.Seq = seq
	}
	return nil
}

// closeEnough reports whether an id at edit distance dist from a wanted id
// of length n is worth suggesting, as for unknown fields.
func closeEnough(dist, n int) bool { return dist <= 2 || dist <= n/3 }

// suggestion phrases the closest id found, if any.
func suggestion(best string) string {
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// lengthsNear is a cheap test that lets most ids skip the edit distance.
func lengthsNear(a, b string) bool {
	d := len(a) - len(b)
	return d >= -2 && d <= 2 || closeEnough(max(d, -d), len(a))
}

// seqOf returns the Seq of the job that took id, when one did. In lines
// format default ids are line numbers, not Seqs, and are not looked up.
func (s *idSet) seqOf(id string, lines bool) (int, bool) {
	if n, ok := recordNumber(id); ok && !lines && s.hasDefault(n) {
		return n, true
	}
	h := s.hash([]byte(id))
	slots := s.tables[h>>24].slots
	if slots == nil {
		return 0, false
	}
	for i := start(h, len(slots)); slots[i] != 0; i = next(i, len(slots)) {
		if v := slots[i]; uint32(v>>32) == h {
			if e := s.arena.get(uint32(v) - 1); string(e.id) == id {
				return e.seq, true
			}
		}
	}
	return 0, false
}

// suggest finds the given id closest to want, other than own, and phrases
// it for a message. It reads the whole arena: it runs only for a bad
// record.
func (s *idSet) suggest(want, own string) string {
	best, bestDist := "", len(want)/2+2
	s.arena.each(func(id []byte) {
		if string(id) == own || !lengthsNear(want, string(id)) {
			return
		}
		d := editDistance(want, string(id))
		if d < bestDist || d == bestDist && string(id) < best {
			best, bestDist = string(id), d
		}
	})
	if best == "" || !closeEnough(bestDist, len(want)) {
		return ""
	}
	return suggestion(best)
}

// each calls f with every id of the arena, in the order they were added.
func (a *idArena) each(f func(id []byte)) {
	var r io.ByteReader = bytes.NewReader(a.mem)
	if a.file != nil {
		a.w.Flush()
		r = bufio.NewReader(io.NewSectionReader(a.file, 0, a.size))
	}
	id := make([]byte, MaxIDLength)
	for {
		_, err1 := binary.ReadUvarint(r) // line
		_, err2 := binary.ReadUvarint(r) // seq
		n, err3 := binary.ReadUvarint(r)
		if err1 != nil || err2 != nil || err3 != nil || n > MaxIDLength {
			return
		}
		for i := range id[:n] {
			if id[i], err1 = r.ReadByte(); err1 != nil {
				return
			}
		}
		f(id[:n])
	}
}
