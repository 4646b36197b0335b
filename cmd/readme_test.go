package cmd

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/drover/drover/cmd/iostreams"
)

// readme returns the README of the repository.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every flag of drover run has a row in the README's table of run's flags.
func TestReadmeRunFlagTable(t *testing.T) {
	text := readme(t)
	start := strings.Index(text, "\n## Running\n")
	end := strings.Index(text, "\nOther commands:")
	if start < 0 || end < start {
		t.Fatal("README: no '## Running' section with its flag table")
	}
	table := text[start:end]
	ios, _, _ := iostreams.Test("")
	run, _, err := NewRootCmd(ios).Find([]string{"run"})
	if err != nil {
		t.Fatal(err)
	}
	run.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		row := "`--" + f.Name
		if f.Shorthand != "" {
			row = "`-" + f.Shorthand + ", --" + f.Name
		}
		if !strings.Contains(table, "| "+row) && !strings.Contains(table, ", "+row) {
			t.Errorf("README's flag table of drover run has no row for %s`", row)
		}
	})
}

// Every section of the README is in its table of contents, and every entry
// of the table leads to a section.
func TestReadmeContents(t *testing.T) {
	text := readme(t)
	toc := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^- \[[^\]]+\]\(#([^)]+)\)$`).FindAllStringSubmatch(text, -1) {
		toc[m[1]] = true
	}
	sections := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^## (.+)$").FindAllStringSubmatch(text, -1) {
		sections[anchor(m[1])] = true
	}
	for s := range sections {
		if !toc[s] {
			t.Errorf("README: section #%s is not in the table of contents", s)
		}
	}
	for s := range toc {
		if !sections[s] {
			t.Errorf("README: the table of contents leads to #%s, which is no section", s)
		}
	}
}

// anchor is the link GitHub makes of a heading.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}
