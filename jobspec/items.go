package jobspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ArgsName names the inline argument lists in positions: "<args>:3" is the
// third job that they make.
const ArgsName = "<args>"

// itemSource is a Decoder's state when a JobTemplate builds its jobs: the
// input item being combined with the lists, and where in the lists the
// next combination is. It holds one input item at a time.
type itemSource struct {
	tmpl *JobTemplate
	// item holds the values of the input item being combined and pos its
	// position; have is false when the next job needs a new item, and
	// fresh is true until the item's first job.
	item  []string
	pos   Position
	have  bool
	fresh bool
	// idx is the next combination of the lists, one index per list, and
	// done says that there is none left. empty is set when a list is
	// empty: no combination at all.
	idx   []int
	done  bool
	empty bool
	// link counts the jobs made from linked lists, linkLen the longest.
	// With input, kept holds its first items (as many as linkLen), for
	// the input to wrap when it is the shorter, and inputDone says it
	// has ended.
	link, linkLen int
	kept          []keptItem
	inputDone     bool
	args          []string
	buf           []byte
}

func newItemSource(t *JobTemplate) *itemSource {
	s := &itemSource{tmpl: t, idx: make([]int, len(t.opts.Lists))}
	for _, l := range t.opts.Lists {
		s.empty = s.empty || len(l) == 0
		s.linkLen = max(s.linkLen, len(l))
	}
	s.done = s.empty
	return s
}

// nextTemplated is Next when a JobTemplate builds the jobs.
func (d *Decoder) nextTemplated() (*Job, error) {
	if d.fatal != nil {
		return nil, d.fatal
	}
	s := d.items
	o := s.tmpl.opts
	if d.format == "" {
		if o.Records {
			if err := d.detect(); err != nil {
				return nil, d.fail(1, err)
			}
		} else {
			d.format = FormatLines
			d.lines = &lineReader{r: d.br, max: d.opts.MaxRecordSize, nul: o.Null}
		}
	}
	if o.Records {
		return d.nextRecord()
	}
	if o.Link && o.Input {
		return d.nextLinked()
	}
	for {
		if o.Input && !s.have {
			item, pos, err := d.nextItem()
			if err != nil {
				return nil, err
			}
			s.item, s.pos = s.split(s.item[:0], item), pos
			s.start()
		}
		args, ok := s.combine()
		if !ok {
			if !o.Input {
				return nil, io.EOF
			}
			s.have = false
			continue
		}
		d.seq++
		pos := s.pos
		if !o.Input {
			pos = Position{File: ArgsName, Line: d.seq}
		}
		return d.buildJob(&values{seq: d.seq, args: args}, pos)
	}
}

// start begins the combinations of a new input item.
func (s *itemSource) start() {
	s.have, s.fresh, s.done = true, true, s.empty
	for i := range s.idx {
		s.idx[i] = 0
	}
}

// combine returns the values of the next job: the input item's values and
// one value of every list. ok is false when the item has no combination
// left (or, without input, the lists have none).
func (s *itemSource) combine() (args []string, ok bool) {
	lists := s.tmpl.opts.Lists
	args = append(s.args[:0], s.item...)
	switch {
	case len(lists) == 0: // items only: one job each
		if !s.fresh {
			return nil, false
		}
	case s.tmpl.opts.Link:
		if s.empty || s.link == s.linkLen {
			return nil, false
		}
		for _, l := range lists {
			args = s.split(args, l[s.link%len(l)])
		}
		s.link++
	default:
		if s.done {
			return nil, false
		}
		for i, l := range lists {
			args = s.split(args, l[s.idx[i]])
		}
		s.advance()
	}
	s.fresh = false
	s.args = args
	return args, true
}

// advance moves to the next combination of the lists, the last list
// varying fastest.
func (s *itemSource) advance() {
	lists := s.tmpl.opts.Lists
	for i := len(lists) - 1; i >= 0; i-- {
		if s.idx[i]++; s.idx[i] < len(lists[i]) {
			return
		}
		s.idx[i] = 0
	}
	s.done = true
}

// split appends the columns of v (v itself without --colsep), each
// without the white space around it, as GNU parallel trims them.
func (s *itemSource) split(args []string, v string) []string {
	if s.tmpl.colsep == nil {
		return append(args, v)
	}
	for _, col := range s.tmpl.colsep.Split(v, -1) {
		args = append(args, strings.Trim(col, columnSpace))
	}
	return args
}

// columnSpace is the white space trimmed around columns.
const columnSpace = " \t\n\r\f\v"

// nextItem reads the next item of the input.
func (d *Decoder) nextItem() (string, Position, error) {
	rec, line, err := d.readRecord()
	pos := Position{File: d.name, Line: line}
	if err != nil {
		return "", pos, err
	}
	if bytes.IndexByte(rec, 0) >= 0 {
		d.seq++
		return "", pos, d.recordError(line, errors.New("the item contains a NUL byte, which no command can take (use -0 for NUL-separated items)"))
	}
	return string(rec), pos, nil
}

// nextRecord builds the job of the next JSON record: the record is data,
// and its fields fill {name}.
func (d *Decoder) nextRecord() (*Job, error) {
	for {
		rec, line, err := d.readRecord()
		if err != nil {
			return nil, err
		}
		if d.array == nil && isBlank(rec) {
			continue
		}
		d.seq++
		v, err := d.items.recordValues(rec)
		if err != nil {
			return nil, d.recordError(line, err)
		}
		v.seq = d.seq
		return d.buildJob(v, Position{File: d.name, Line: line})
	}
}

// recordValues reads the fields the templates name from one record.
func (s *itemSource) recordValues(rec []byte) (*values, error) {
	if !utf8.Valid(rec) {
		return nil, errors.New("record is not valid UTF-8")
	}
	if !validJSON(rec) {
		var v any
		return nil, syntaxFault(json.Unmarshal(rec, &v))
	}
	rec = bytes.TrimSpace(rec)
	if rec[0] != '{' {
		return nil, fmt.Errorf("a record must be a JSON object, not %s", describeValue(rec))
	}
	names := s.tmpl.names
	v := &values{isRecord: true, record: string(rec), names: names, fields: make([]string, len(names))}
	found := make([]bool, len(names))
	err := members(rec, func(key []byte, at int, value []byte) error {
		name, _ := stringValue(key)
		for i, n := range names {
			if n != name {
				continue
			}
			if found[i] {
				return &fieldError{at, fmt.Errorf("field %q is given twice", name)}
			}
			found[i] = true
			switch value[0] {
			case '"':
				v.fields[i], _ = stringValue(value)
			case 'n':
				return &fieldError{at, fmt.Errorf("field %q is null; {%s} needs a value", name, name)}
			default:
				v.fields[i] = string(value) // a number, a boolean, an object or an array as written
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		if !found[i] {
			return nil, fmt.Errorf("the record has no field %q, which {%s} needs", n, n)
		}
	}
	return v, nil
}

// buildJob makes the job, gives it its id and checks that the id is the
// run's only one of its kind.
func (d *Decoder) buildJob(v *values, pos Position) (*Job, error) {
	s := d.items
	job, buf, err := s.tmpl.build(v, pos, s.buf)
	s.buf = buf
	if err != nil {
		return nil, &RecordError{Pos: pos, Err: err}
	}
	var taken int
	var dup bool
	if job.ID == "" {
		job.ID = strconv.Itoa(job.Seq)
		taken, dup = d.ids.addDefault(job.Seq)
	} else {
		taken, dup = d.ids.addGiven(job.ID, job.Seq, job.Seq)
	}
	switch {
	case !dup:
		return job, nil
	case taken < 0:
		taken = -taken
	}
	return nil, &RecordError{Pos: pos, Err: fmt.Errorf("id %q is already the id of job %d", job.ID, taken)}
}
