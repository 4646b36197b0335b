package jobspec

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// TemplateOptions describe jobs built from a command template: the
// template, where the items that fill it come from, and how they split.
type TemplateOptions struct {
	// Command is the command template. It runs with the shell, every value
	// shell-quoted, unless Argv is set or it is a JSON array of strings:
	// then each element is an argv element and no shell is involved.
	Command string
	// Argv runs the command without a shell: Command is a JSON array of
	// strings, or words split as the shell splits them (quotes and
	// backslashes, no expansions).
	Argv bool
	// ID is the template of each job's id; "" gives the job number.
	ID string
	// Records makes each record of the input (NDJSON or a JSON array) the
	// data of one job, {name} naming its fields; otherwise the input is
	// items, one per line, or NUL-separated with Null.
	Records bool
	Null    bool
	// ColSep, when set, is the regular expression that splits each item
	// into the columns {1}, {2}, ….
	ColSep string
	// Lists are the inline argument lists (::: a b c). Without Input, they
	// are the only sources; with it, the input is the first source. Every
	// combination of one item of each source is one job, the first source
	// varying slowest, or with Link the Nth items of every source go
	// together (shorter sources wrap).
	Lists [][]string
	Input bool
	Link  bool
	// RequireUTF8 refuses commands that are not valid UTF-8, for jobs that
	// travel as JSON (to workers). Otherwise an item may hold any bytes but
	// NUL, as a file name may.
	RequireUTF8 bool
}

// JobTemplate turns items into jobs. It is read-only once made and may be
// shared between goroutines.
type JobTemplate struct {
	shell  *Template
	argv   []*Template
	id     *Template
	colsep *regexp.Regexp
	opts   TemplateOptions
	names  []string // the fields the templates name, for records
}

// NewJobTemplate checks the options and parses the templates. Its errors
// are the user's: they name the template and the column of the fault.
func NewJobTemplate(o TemplateOptions) (*JobTemplate, error) {
	t := &JobTemplate{opts: o}
	if strings.TrimSpace(o.Command) == "" {
		return nil, errors.New("--cmd: the command template is empty")
	}
	if err := t.parseCommand(); err != nil {
		return nil, fmt.Errorf("--cmd %w", err)
	}
	if o.ID != "" {
		id, err := ParseTemplate(o.ID, true)
		if err != nil {
			return nil, fmt.Errorf("--id %w", err)
		}
		if p, ok := id.first(func(p part) bool { return p.kind == partSlot }); ok {
			return nil, fmt.Errorf("--id %q: %s is the slot, which is only known when the job starts", o.ID, p.text)
		}
		t.id = id
	}
	if err := t.checkSources(); err != nil {
		return nil, err
	}
	if o.ColSep != "" {
		re, err := regexp.Compile(o.ColSep)
		if err != nil {
			return nil, fmt.Errorf("--colsep: %w", err)
		}
		t.colsep = re
	}
	return t, nil
}

func (t *JobTemplate) parseCommand() error {
	words, isArray, err := argvWords(t.opts.Command, t.opts.Argv)
	if err != nil {
		return err
	}
	if !isArray && !t.opts.Argv {
		sh, err := ParseTemplate(t.opts.Command, false)
		if err != nil {
			return err
		}
		if !sh.hasReplacement() {
			if sh, err = ParseTemplate(t.opts.Command+" {}", false); err != nil {
				return fmt.Errorf("%q has no replacement string, and the {} drover appends would not be a word of the command (it ends in a comment or a here-document): write {} where the value goes", t.opts.Command)
			}
		}
		t.shell = sh
		return nil
	}
	any := false
	for _, w := range words {
		el, err := ParseTemplate(w, true)
		if err != nil {
			return err
		}
		if p, ok := el.first(func(p part) bool { return p.kind == partSlot }); ok {
			return fmt.Errorf("%q: %s (the slot) needs a shell command: without a shell, read $%s in the program instead", t.opts.Command, p.text, SlotVariable)
		}
		any = any || el.hasReplacement()
		t.argv = append(t.argv, el)
	}
	if !any {
		el, _ := ParseTemplate("{}", true)
		t.argv = append(t.argv, el)
	}
	return nil
}

// flagged is a template and the flag that gave it, for messages.
type flagged struct {
	flag string
	*Template
}

// templates returns every template of the job: the command's, then the id's.
func (t *JobTemplate) templates() []flagged {
	var all []flagged
	for _, el := range t.argv {
		all = append(all, flagged{"--cmd", el})
	}
	if t.shell != nil {
		all = append(all, flagged{"--cmd", t.shell})
	}
	if t.id != nil {
		all = append(all, flagged{"--id", t.id})
	}
	return all
}

// checkSources checks the replacement strings against the items: fields
// need records, positions need items, and a position must not be past the
// last source when no --colsep makes columns.
func (t *JobTemplate) checkSources() error {
	o := t.opts
	switch {
	case o.Records && (len(o.Lists) > 0 || o.Null || o.ColSep != ""):
		return errors.New("::: lists, -0 and --colsep make items; JSON records (--format ndjson or json) cannot be combined with them")
	case o.Null && !o.Input:
		return errors.New("-0 says how FILE or stdin is split, and ::: lists take no input")
	}
	sources := len(o.Lists)
	if o.Input {
		sources++
	}
	for _, tm := range t.templates() {
		for _, p := range tm.parts {
			if p.kind != partValue {
				continue
			}
			switch {
			case p.field != "" && !o.Records:
				return fmt.Errorf("%s %q: %s names a field of a JSON record; with --format ndjson or json each record is one job's data (for items, use {} or {1})", tm.flag, tm.src, p.text)
			case p.field != "":
				if !contains(t.names, p.field) {
					t.names = append(t.names, p.field)
				}
			case o.Records && (p.index != 0 || p.mod != modWhole):
				return fmt.Errorf("%s %q: %s is for items; a JSON record's values are named by field, as {name}", tm.flag, tm.src, p.text)
			case max(p.index, -p.index) > sources && o.ColSep == "":
				return fmt.Errorf("%s %q: %s, but there %s (--colsep splits items into columns)", tm.flag, tm.src, p.text, countSources(sources))
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func countSources(n int) string {
	if n == 1 {
		return "is 1 source of values"
	}
	return fmt.Sprintf("are %d sources of values", n)
}

// Shell reports whether the jobs run with the shell.
func (t *JobTemplate) Shell() bool { return t.shell != nil }

// build makes the job of one item, or says what is wrong with it.
func (t *JobTemplate) build(v *values, pos Position, buf []byte) (*Job, []byte, error) {
	job := &Job{Record: pos, Seq: v.seq}
	if !v.isRecord {
		job.Args = append([]string(nil), v.args...)
	}
	if t.shell != nil {
		buf = t.shell.appendShell(buf[:0], v)
		job.Argv, job.Shell = []string{string(buf)}, true
	} else {
		argv := make([]string, 0, len(t.argv)+1)
		for _, el := range t.argv {
			argv, buf = el.appendArgv(argv, v, buf)
		}
		job.Argv = argv
	}
	for _, a := range job.Argv {
		if strings.IndexByte(a, 0) >= 0 {
			return nil, buf, errors.New("a value contains a NUL byte, which no command can take")
		}
		if t.opts.RequireUTF8 && !utf8.ValidString(a) {
			return nil, buf, errors.New("the command is not valid UTF-8, and jobs sent to workers must be")
		}
	}
	if t.id != nil {
		buf = t.id.appendRaw(buf[:0], v)
		if !utf8.Valid(buf) {
			return nil, buf, fmt.Errorf("--id %q gives an id that is not valid UTF-8", t.id.src)
		}
		id := EscapeID(string(buf))
		if err := ValidateID(id); err != nil {
			return nil, buf, fmt.Errorf("--id %q gives the id %q, which %w", t.id.src, id, err)
		}
		job.ID = id
	}
	return job, buf, nil
}

// argvWords returns the words of an argv template: the elements of a JSON
// array of strings (isArray), or, with split, the words of cmd.
func argvWords(cmd string, split bool) (words []string, isArray bool, err error) {
	if trimmed := strings.TrimSpace(cmd); strings.HasPrefix(trimmed, "[") && json.Valid([]byte(trimmed)) {
		if err := json.Unmarshal([]byte(trimmed), &words); err == nil {
			if len(words) == 0 {
				return nil, true, fmt.Errorf("%q: the command template is an empty array", cmd)
			}
			return words, true, nil
		}
		return nil, true, fmt.Errorf("%q: an argv template given as JSON must be an array of strings", cmd)
	}
	if !split {
		return nil, false, nil
	}
	words, err = splitWords(cmd)
	return words, false, err
}
