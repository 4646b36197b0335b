package jobspec

import "io"

// keptItem is an input item's values and position, kept for --link.
type keptItem struct {
	args []string
	pos  Position
}

// nextLinked is nextTemplated for --link with input: the Nth item goes
// with the Nth value of every list, as in GNU parallel. Shorter lists
// wrap; so does the input, when it ends before the longest list, from
// its first items, kept for that (no more than the longest list has
// values, which are in memory already).
func (d *Decoder) nextLinked() (*Job, error) {
	s := d.items
	if s.empty {
		return nil, io.EOF
	}
	var args []string
	var pos Position
	if !s.inputDone {
		item, p, err := d.nextItem()
		switch {
		case err == io.EOF:
			s.inputDone = true
		case err != nil:
			return nil, err
		default:
			args, pos = s.split(s.args[:0], item), p
			if len(s.kept) < s.linkLen {
				s.kept = append(s.kept, keptItem{append([]string(nil), args...), p})
			}
		}
	}
	if s.inputDone {
		if len(s.kept) == 0 || s.link >= s.linkLen {
			return nil, io.EOF
		}
		k := s.kept[s.link%len(s.kept)]
		args, pos = append(s.args[:0], k.args...), k.pos
	}
	for _, l := range s.tmpl.opts.Lists {
		args = s.split(args, l[s.link%len(l)])
	}
	s.link++
	s.args = args
	d.seq++
	return d.buildJob(&values{seq: d.seq, args: args}, pos)
}
