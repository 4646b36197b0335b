package jobspec

import "strings"

// modify applies a modifier to a value, as GNU parallel does: {.} removes
// the last '.' after the last '/' and what follows it (so ".bashrc" has
// nothing left), {/} removes everything up to the last '/', and {//} is the
// directory as dirname(1) gives it ("." for a name without a '/').
func modify(v string, m modifier) string {
	switch m {
	case modNoExt:
		return noExt(v)
	case modBase:
		return v[strings.LastIndexByte(v, '/')+1:]
	case modDir:
		return dirname(v)
	case modBaseNoExt:
		return noExt(v[strings.LastIndexByte(v, '/')+1:])
	}
	return v
}

func noExt(v string) string {
	if i := strings.LastIndexByte(v, '.'); i >= 0 && strings.IndexByte(v[i:], '/') < 0 {
		return v[:i]
	}
	return v
}

func dirname(v string) string {
	if v == "" {
		return "."
	}
	v = strings.TrimRight(v, "/")
	if v == "" {
		return "/"
	}
	i := strings.LastIndexByte(v, '/')
	if i < 0 {
		return "."
	}
	if v = strings.TrimRight(v[:i], "/"); v == "" {
		return "/"
	}
	return v
}
