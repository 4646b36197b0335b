// Package schemas holds the JSON Schemas (draft 2020-12) of the files
// drover writes for programs to read: a results record, the summary file
// and an events line. (The job object's schema is jobspec's.) Each object
// has one file here, result.json, summary.json and event.json; the event
// schema gets the other two as its $defs when it is printed, so that it
// stands alone. A field added to a record, the summary or an event gets
// its property in that file, and a new status or event type its value in
// the enum there.
package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed result.json summary.json event.json
var files embed.FS

// Names are the schemas this package has, in the order help lists them.
var Names = []string{"result", "summary", "event"}

// Schema returns the named schema, indented, ending in a newline.
func Schema(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".json")
	if err != nil {
		return nil, fmt.Errorf("no schema named %q", name)
	}
	if name == "event" {
		if b, err = withDefs(b); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, fmt.Errorf("%s.json: %w", name, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// emptyDefs is where the event schema takes the result and summary
// schemas in.
var emptyDefs = []byte(`"$defs": {}`)

// withDefs puts the result and summary schemas into the event schema's
// $defs, without their own $schema.
func withDefs(event []byte) ([]byte, error) {
	if bytes.Count(event, emptyDefs) != 1 {
		return nil, fmt.Errorf("event.json: want one %s to fill in", emptyDefs)
	}
	defs := map[string]json.RawMessage{}
	for _, name := range []string{"result", "summary"} {
		b, err := files.ReadFile(name + ".json")
		if err != nil {
			return nil, err
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s.json: %w", name, err)
		}
		delete(doc, "$schema")
		if defs[name], err = json.Marshal(doc); err != nil {
			return nil, err
		}
	}
	filled, err := json.Marshal(defs)
	if err != nil {
		return nil, err
	}
	return bytes.Replace(event, emptyDefs, append([]byte(`"$defs": `), filled...), 1), nil
}
