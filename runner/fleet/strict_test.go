package fleet

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// Every field of drover's own messages, set, decodes strictly: the fields
// checked follow the messages' types.
func TestOwnMessagesDecodeStrictly(t *testing.T) {
	timeout, code, stdin := time.Second, 3, "in"
	job := jobMsg{Run: "r1", Seq: 1, ID: "x", Record: jobspec.Position{File: "f", Line: 2}, Argv: []string{"true"},
		Env: []jobspec.EnvVar{{Key: "A", Value: "1"}}, Dir: "/", Timeout: timeout, Retries: 1,
		RetryOn: &jobspec.RetryOn{ExitCodes: []int{3}, Timeout: true}, Stdin: &stdin}
	res := resultMsg{Run: "r1", Seq: 1, ID: "x", Status: runner.Failed, ExitCode: &code, Signal: "SIGKILL", Attempts: 1,
		StartedAt: time.Now(), FinishedAt: time.Now(), Error: "e", Stdout: []byte("o"), Stderr: []byte("e"),
		StdoutDropped: 1, StderrDropped: 1, StderrTail: []byte("t"), Worker: "w"}
	notice := noticeMsg{Seq: 1, Attempt: 1, Retrying: true, Failure: "f", Delay: time.Second, Worker: "w"}
	for _, m := range []any{&job, &res, &notice} {
		setAll(reflect.ValueOf(m).Elem())
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		known := fieldsOf(reflect.TypeOf(m))
		into := reflect.New(reflect.TypeOf(m).Elem()).Interface()
		if err := decodeStrict(data, known, into); err != nil {
			t.Errorf("%T: %v\n%s", m, err, data)
		}
	}
	if got := fieldsOf(reflect.TypeFor[jobMsg]()); got["record"]["Line"] != nil || len(got["env"]) != 2 || got["retry_on"] == nil {
		t.Errorf("job fields %v", got)
	}
}

// setAll gives every zero field a value, so that a field added to a
// message later is in the test above too.
func setAll(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !f.CanSet() || !f.IsZero() {
			continue
		}
		if f.Type() == reflect.TypeFor[json.RawMessage]() {
			f.SetBytes([]byte(`"raw"`))
			continue
		}
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(1)
		case reflect.String:
			f.SetString(strings.ToLower(v.Type().Field(i).Name))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		}
	}
}
