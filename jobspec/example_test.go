package jobspec_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/drover/drover/jobspec"
)

func ExampleDecoder() {
	input := `{"id":"build","cmd":["make","all"],"retries":2}
{"cmd":"echo hi","timout":"5s"}
`
	d := jobspec.NewDecoder(strings.NewReader(input), "jobs.ndjson", jobspec.Options{})
	for {
		job, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(job.ID, job.Argv, *job.Retries)
	}
	// Output:
	// build [make all] 2
	// error: jobs.ndjson:2: unknown field "timout" (did you mean "timeout"?)
}
