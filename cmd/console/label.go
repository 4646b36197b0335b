package console

import (
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/jobspec"
)

// Label is how the console names a job to a person: its id, with its
// arguments or the start of its command beside it (see termtext.JobLabel).
func Label(job *jobspec.Job) string {
	command := ""
	if job.Shell && len(job.Argv) == 1 {
		command = job.Argv[0]
	} else if len(job.Argv) > 0 {
		command = joinWords(job.Argv, jobspec.QuoteShell)
	}
	return termtext.JobLabel(job.ID, job.Args, command)
}
