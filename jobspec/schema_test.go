package jobspec

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles Schema with a real JSON Schema validator.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("job.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("job.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

// decodeOne runs one record through the decoder, as one NDJSON line.
func decodeOne(rec string) error {
	_, err := NewDecoder(strings.NewReader(rec), "f", Options{Format: FormatNDJSON}).Next()
	return err
}

func schemaAccepts(t *testing.T, s *jsonschema.Schema, rec string) (bool, error) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(rec))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", rec, err)
	}
	err = s.Validate(v)
	return err == nil, err
}

func readFixtures(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/schema/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			recs = append(recs, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestSchemaFixtures holds the schema to the decoder on the fixtures: both
// accept every valid one and both refuse every invalid one.
func TestSchemaFixtures(t *testing.T) {
	s := compileSchema(t)
	for _, tt := range []struct {
		file string
		want bool
	}{{"valid.ndjson", true}, {"invalid.ndjson", false}} {
		recs := readFixtures(t, tt.file)
		if len(recs) < 10 {
			t.Fatalf("%s: only %d fixtures", tt.file, len(recs))
		}
		for _, rec := range recs {
			if derr := decodeOne(rec); (derr == nil) != tt.want {
				t.Errorf("%s: %s: decoder says %v, fixture wants valid=%v", tt.file, rec, derr, tt.want)
			}
			if ok, serr := schemaAccepts(t, s, rec); ok != tt.want {
				t.Errorf("%s: %s: schema says %v, fixture wants valid=%v", tt.file, rec, serr, tt.want)
			}
		}
	}
}

// TestSchemaAgreesOnCombinations builds records from every pair of field
// values, good and bad, and checks that the schema and the decoder decide
// each the same way.
func TestSchemaAgreesOnCombinations(t *testing.T) {
	s := compileSchema(t)
	values := map[string][]string{
		"id":       {`"a"`, `""`, `"\u001f"`, `"\u009f"`, `"\u00a0"`, `"` + strings.Repeat("x", MaxIDLength) + `"`, `"` + strings.Repeat("x", MaxIDLength+1) + `"`, `7`},
		"cmd":      {`"x"`, `" "`, `"\u2028"`, `"\u200b"`, `["a"]`, `[]`, `[""]`, `["a",""]`, `[1]`, `"\u0000"`, `false`},
		"env":      {`{"A":"b"}`, `{"=":"b"}`, `{"A":""}`, `{}`, `{"A":["b"]}`, `null`},
		"dir":      {`"d"`, `""`, `null`},
		"timeout":  {`"1s"`, `"1h1h"`, `"0.0s"`, `"-0.0s"`, `"-0.1ms"`, `"1μs"`, `"1us"`, `"1ns"`, `"1"`, `3`, `-3`, `0.5`, `"h"`, `"1.5.5s"`},
		"retries":  {`0`, `2`, `100`, `100.0`, `-0`, `1e1`, `2.5`, `101`, `"1"`},
		"retry_on": {`[]`, `[1]`, `["timeout"]`, `[1,"x"]`, `[0]`, `[255]`, `[2.0]`, `{}`},
		"stdin":    {`""`, `"x"`, `0`},
		"nope":     {`1`},
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	checked := 0
	for i, a := range names {
		for _, b := range names[i:] {
			for _, va := range values[a] {
				for _, vb := range values[b] {
					members := map[string]string{"cmd": `"x"`, a: va}
					members[b] = vb
					var buf bytes.Buffer
					buf.WriteByte('{')
					first := true
					for k, v := range members {
						if !first {
							buf.WriteByte(',')
						}
						first = false
						kb, _ := json.Marshal(k)
						buf.Write(kb)
						buf.WriteByte(':')
						buf.WriteString(v)
					}
					buf.WriteByte('}')
					rec := buf.String()
					derr := decodeOne(rec)
					ok, serr := schemaAccepts(t, s, rec)
					if (derr == nil) != ok {
						t.Errorf("%s: decoder says %v, schema says %v", rec, derr, serr)
					}
					checked++
				}
			}
		}
	}
	t.Logf("%d records checked", checked)
}

// TestSchemaBlindSpots pins what the schema cannot say, as its description
// tells: the decoder refuses these records, the schema lets them through.
func TestSchemaBlindSpots(t *testing.T) {
	s := compileSchema(t)
	for _, rec := range []string{
		`{"cmd":"x","cmd":"y"}`,                               // a key given twice
		`{"id":"` + strings.Repeat("é", 200) + `","cmd":"x"}`, // 200 characters, 400 bytes
		`{"timeout":"3000000h","cmd":"x"}`,                    // longer than a time.Duration holds
		`{"cmd":"x","needs":["elsewhere"]}`,                   // no earlier job has the id
	} {
		if decodeOne(rec) == nil {
			t.Errorf("%.60s: the decoder accepts it", rec)
		}
		if ok, err := schemaAccepts(t, s, rec); !ok {
			t.Errorf("%.60s: the schema refuses it (%v); update the schema's description", rec, err)
		}
	}
}

// TestSchemaDraft checks that the schema names draft 2020-12.
func TestSchemaDraft(t *testing.T) {
	var doc struct {
		Schema string `json:"$schema"`
	}
	if err := json.Unmarshal(Schema(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Fatalf("$schema is %q", doc.Schema)
	}
}
