package console

import (
	"io"
	"strings"
	"testing"

	"github.com/drover/drover/jobspec"
)

type jobList []*jobspec.Job

func (l *jobList) Next() (*jobspec.Job, error) {
	if len(*l) == 0 {
		return nil, io.EOF
	}
	j := (*l)[0]
	*l = (*l)[1:]
	return j, nil
}

func TestDryRunForms(t *testing.T) {
	jobs := func() *jobList {
		return &jobList{
			{ID: "1", Argv: []string{"gzip 'a\nb'"}, Shell: true},
			{ID: "my id", Argv: []string{"printf", "%s\n", "it's"}},
		}
	}
	tests := []struct {
		o    DryRunOptions
		want string
	}{
		{DryRunOptions{Form: DryRunList, Shell: "/bin/sh", Templated: true},
			"1\t/bin/sh -c 'gzip '\\''a\\nb'\\'''\n'my id'\tprintf '%s\\n' 'it'\\''s'\n"},
		{DryRunOptions{Form: DryRunSh, Shell: "/bin/sh", Templated: true},
			"gzip 'a\nb'\nprintf '%s\n' 'it'\\''s'\n"},
		{DryRunOptions{Form: DryRunSh, Shell: "/bin/sh", Templated: true, Terminal: true},
			"/bin/sh -c 'gzip '\\''a\\nb'\\'''\nprintf '%s\\n' 'it'\\''s'\n"},
		{DryRunOptions{Form: DryRunSh, Shell: "bash", Templated: true},
			"bash -c 'gzip '\\''a\nb'\\'''\nprintf '%s\n' 'it'\\''s'\n"},
	}
	for _, tc := range tests {
		var b strings.Builder
		if _, err := DryRun(&b, jobs(), tc.o, func() bool { return false }); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%+v:\n%q, want\n%q", tc.o, b.String(), tc.want)
		}
	}
}
