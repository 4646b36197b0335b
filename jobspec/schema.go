package jobspec

import _ "embed"

// schemaJSON is the JSON Schema (draft 2020-12) of one job object.
//
//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of one job object, as
// strict as the decoder wherever a schema can say it: every record the
// schema refuses, the decoder refuses too, and the other way round, except
// for what no schema sees (a key given twice, an id given to two jobs) or
// counts (an id's length in bytes rather than characters, a duration too
// long to hold). The returned slice is a copy.
func Schema() []byte { return append([]byte(nil), schemaJSON...) }
