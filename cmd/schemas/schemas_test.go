package schemas

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/drover/drover/cmd/records"
	"github.com/drover/drover/runner"
)

// TestSchemasNameEveryField: every field drover writes in a results record
// or the summary file has its property in the schema, so that a field
// added to the Go type without its schema fails here (add it to
// result.json or summary.json).
func TestSchemasNameEveryField(t *testing.T) {
	for name, typ := range map[string]reflect.Type{
		"result":  reflect.TypeOf(runner.Record{}),
		"summary": reflect.TypeOf(records.SummaryJSON{}),
	} {
		b, err := Schema(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := 0; i < typ.NumField(); i++ {
			key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if key == "" || key == "-" {
				continue
			}
			if _, ok := doc.Properties[key]; !ok {
				t.Errorf("%s.json names no property %q (the field %s of %s)", name, key, typ.Field(i).Name, typ)
			}
		}
	}
}

// TestEventSchemaHoldsTheOthers: the printed event schema stands alone,
// with the result and summary schemas in its $defs.
func TestEventSchemaHoldsTheOthers(t *testing.T) {
	b, err := Schema("event")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs map[string]struct {
			Title  string `json:"title"`
			Schema string `json:"$schema"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Defs["result"].Title != "drover result record" || doc.Defs["summary"].Title != "drover summary" || doc.Defs["result"].Schema != "" {
		t.Errorf("$defs: %+v", doc.Defs)
	}
	if _, err := Schema("nothing"); err == nil {
		t.Error("a schema of nothing")
	}
}
