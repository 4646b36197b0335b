package runner

import (
	"fmt"
	"strings"
)

// Plural writes a count with its noun: "1 job", "2 jobs", "3 retries",
// "2 processes". It is drover's one way of saying a count, in the runner's
// and the fleet's messages and on the console.
func Plural(n int, word string) string {
	switch {
	case n == 1:
		return fmt.Sprintf("1 %s", word)
	case strings.HasSuffix(word, "s"):
		return fmt.Sprintf("%d %ses", n, word)
	case strings.HasSuffix(word, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
