package cmd

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemavalid SCHEMA FILE... validates every line of each FILE (one JSON
// value a line) against SCHEMA, and checks that every key of every object
// in them is a property the schema names somewhere, so that a field
// drover writes cannot go undocumented.
func cmdSchemaValid(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: schemavalid SCHEMA FILE...")
	}
	text := ts.ReadFile(args[0])
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	ts.Check(err)
	c := jsonschema.NewCompiler()
	ts.Check(c.AddResource("schema.json", doc))
	schema, err := c.Compile("schema.json")
	if err != nil {
		ts.Fatalf("%s does not compile: %v", args[0], err)
	}
	var tree any
	ts.Check(json.Unmarshal([]byte(text), &tree))
	named := map[string]bool{}
	propertyNames(tree, named)
	for _, file := range args[1:] {
		for n, line := range strings.Split(strings.TrimSpace(ts.ReadFile(file)), "\n") {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
			ts.Check(err)
			if err := schema.Validate(v); err != nil {
				ts.Fatalf("%s:%d: %v", file, n+1, err)
			}
			if key := unnamedKey(v, named); key != "" {
				ts.Fatalf("%s:%d: the schema names no property %q", file, n+1, key)
			}
		}
	}
}

// propertyNames collects the keys of every "properties" object in a schema.
func propertyNames(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			if props, ok := sub.(map[string]any); ok && k == "properties" {
				for name := range props {
					into[name] = true
				}
			}
			propertyNames(sub, into)
		}
	case []any:
		for _, sub := range v {
			propertyNames(sub, into)
		}
	}
}

// unnamedKey returns a key of an object in v that is not in named, or "".
func unnamedKey(v any, named map[string]bool) string {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !named[k] {
				return k
			}
			if key := unnamedKey(v[k], named); key != "" {
				return key
			}
		}
	case []any:
		for _, sub := range v {
			if key := unnamedKey(sub, named); key != "" {
				return key
			}
		}
	}
	return ""
}
