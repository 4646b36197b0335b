package jobspec

import (
	"io"
	"strconv"
	"strings"
	"testing"
)

// decodeNeeds reads every record of an NDJSON input, keeping the jobs and
// the messages of the bad records.
func decodeNeeds(t *testing.T, input string) (jobs []*Job, errs []string) {
	t.Helper()
	d := NewDecoder(strings.NewReader(input), "in", Options{})
	defer d.Close()
	for {
		job, err := d.Next()
		if err == io.EOF {
			return jobs, errs
		}
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		jobs = append(jobs, job)
	}
}

func TestNeedsResolveToEarlierJobs(t *testing.T) {
	jobs, errs := decodeNeeds(t, `{"id":"build","cmd":"true"}
{"cmd":"true"}
{"id":"test","cmd":"true","needs":["build","2"],"when":"always"}
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := jobs[2]
	if len(got.Needs) != 2 || got.Needs[0] != (Need{"build", 1}) || got.Needs[1] != (Need{"2", 2}) || got.When != WhenAlways {
		t.Fatalf("needs %+v when %q", got.Needs, got.When)
	}
}

func TestNeedsErrors(t *testing.T) {
	for _, tc := range []struct{ input, want string }{
		{`{"id":"a","cmd":"true","needs":["a"]}`, `in:1: field "needs": the job cannot need itself ("a")`},
		{`{"id":"build","cmd":"true"}` + "\n" + `{"cmd":"true","needs":["biuld"]}`, `in:2: field "needs": "biuld" is not the id of an earlier job (did you mean "build"?)`},
		{`{"cmd":"true","needs":["later"]}` + "\n" + `{"id":"later","cmd":"true"}`, `in:1: field "needs": "later" is not the id of an earlier job`},
		{`{"id":"b","cmd":"true"}` + "\n" + `{"cmd":"true","needs":["b","b"]}`, `in:2: field "needs": "b" is listed twice`},
		{`{"cmd":"true","needs":[]}`, `in:1: field "needs": must list at least one job id`},
		{`{"cmd":"true","needs":"b"}`, `in:1: field "needs": must be an array of job ids, not a string`},
		{`{"cmd":"true","when":"always"}`, `in:1: field "when" is only valid with "needs"`},
		{`{"id":"b","cmd":"true"}` + "\n" + `{"cmd":"true","needs":["b"],"when":"never"}`, `in:2: field "when": "never" is not "success", "always" or "failure"`},
	} {
		_, errs := decodeNeeds(t, tc.input)
		if len(errs) != 1 || errs[0] != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.input, errs, tc.want)
		}
	}
}

func TestNeedsFindIDsInASpilledArena(t *testing.T) {
	var b strings.Builder
	long := strings.Repeat("x", 200)
	for i := 0; i < 2*arenaInMemory/200; i++ {
		b.WriteString(`{"id":"` + long + strconv.Itoa(i) + `","cmd":"true"}` + "\n")
	}
	b.WriteString(`{"cmd":"true","needs":["` + long + `7"]}` + "\n")
	b.WriteString(`{"cmd":"true","needs":["` + long + `7x"]}` + "\n")
	jobs, errs := decodeNeeds(t, b.String())
	if len(errs) != 1 || !strings.Contains(errs[0], `did you mean "`+long+`7"?`) {
		t.Fatalf("errors %q", errs)
	}
	if n := jobs[len(jobs)-1].Needs[0]; n.Seq != 8 {
		t.Fatalf("need %+v, want Seq 8", n)
	}
}
