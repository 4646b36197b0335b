package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// fields names the keys an object of a message may have and, for each,
// the fields of the objects in its value (nil: its value holds none). The
// elements of an array take the fields of the array.
type fields map[string]fields

// fieldsOf lists the fields of the JSON objects that encoding/json makes
// of a value of type t, from its struct fields and their json tags, so
// that the fields checked never drift from the messages' types.
func fieldsOf(t reflect.Type) fields {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil // a value without fields of its own (time.Time is a string)
	}
	f := fields{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f[name] = fieldsOf(sf.Type)
	}
	return f
}

// maxNesting bounds how deep a message's values nest: drover's own
// messages nest three levels deep.
const maxNesting = 8

// decodeStrict decodes data, one JSON object, into v. Beyond what
// json.Unmarshal checks (types), every key must be one of known, with its
// exact case, and given once; nothing may follow the object.
func decodeStrict(data []byte, known fields, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	if err := checkObject(dec, known, "", 1); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more data after the JSON object")
	}
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// checkObject reads the members of an object whose '{' has been read, up
// to its '}', checking their keys against known.
func checkObject(dec *json.Decoder, known fields, path string, depth int) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		sub, ok := known[key]
		switch {
		case !ok:
			return fmt.Errorf("unknown field %q", path+shortened(key))
		case seen[key]:
			return fmt.Errorf("field %q is given twice", path+key)
		}
		seen[key] = true
		if err := checkValue(dec, sub, path+key+".", depth+1); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// checkValue reads one value, checking the keys of the objects in it.
func checkValue(dec *json.Decoder, known fields, path string, depth int) error {
	if depth > maxNesting {
		return errors.New("values nest too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return checkObject(dec, known, path, depth)
	case json.Delim('['):
		for dec.More() {
			if err := checkValue(dec, known, path, depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}
