package console

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/jobspec"
	"github.com/drover/drover/runner"
)

// The output modes.
const (
	OutputGroup = "group"
	OutputTag   = "tag"
	OutputRaw   = "raw"
	OutputNone  = "none"
)

// newSink builds the sink of an output mode. Chunks of tag (and of raw,
// when drover's own streams are not files) go to the terminal goroutine
// through chunks.
func newSink(mode string, ios *iostreams.IOStreams, spool *runner.SpoolDir, chunks chan<- chunk) (runner.Sink, error) {
	switch mode {
	case OutputGroup:
		return groupSink{dir: spool}, nil
	case OutputTag:
		return tagSink{ios: ios, chunks: chunks}, nil
	case OutputRaw:
		return rawSink{ios: ios, chunks: chunks}, nil
	case OutputNone:
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return noneSink{null: null}, nil
	}
	return nil, fmt.Errorf("%w %q (want group, tag, raw or none)", ErrUnknownMode, mode)
}

// groupSink collects each job's stdout and stderr in spools (memory up to
// 1 MiB each, then a private file), to be written whole when the job ends.
type groupSink struct{ dir *runner.SpoolDir }

func (s groupSink) Open(*jobspec.Job) (runner.JobOutput, error) {
	return &groupOutput{out: runner.Spool{Dir: s.dir}, err: runner.Spool{Dir: s.dir}}, nil
}

type groupOutput struct{ out, err runner.Spool }

func (g *groupOutput) Stdout() io.Writer { return &g.out }
func (g *groupOutput) Stderr() io.Writer { return &g.err }
func (g *groupOutput) Close() error      { return errors.Join(g.out.Close(), g.err.Close()) }

// park frees what a finished job's output holds until its turn comes.
func (g *groupOutput) park() error { return errors.Join(g.out.Park(), g.err.Park()) }

// tagSink prefixes every line with "[ID] " as it arrives.
type tagSink struct {
	ios    *iostreams.IOStreams
	chunks chan<- chunk
}

func (s tagSink) Open(job *jobspec.Job) (runner.JobOutput, error) {
	prefix := "[" + job.ID + "] "
	return &streamOutput{
		out: &lineWriter{dst: s.ios.Out, prefix: prefix, chunks: s.chunks},
		err: &lineWriter{dst: s.ios.ErrOut, prefix: prefix, chunks: s.chunks},
	}, nil
}

// rawSink hands jobs drover's own stdout and stderr. When those are files
// the job writes to them directly; otherwise (in tests) its writes pass
// through the terminal goroutine unchanged.
type rawSink struct {
	ios    *iostreams.IOStreams
	chunks chan<- chunk
}

func (s rawSink) Open(*jobspec.Job) (runner.JobOutput, error) {
	return &streamOutput{out: s.direct(s.ios.Out), err: s.direct(s.ios.ErrOut)}, nil
}

func (s rawSink) direct(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		return f
	}
	return &lineWriter{dst: w, raw: true, chunks: s.chunks}
}

// noneSink discards output; the runner still keeps the tail of stderr for
// the summary.
type noneSink struct{ null *os.File }

func (s noneSink) Open(*jobspec.Job) (runner.JobOutput, error) {
	return &streamOutput{out: s.null, err: io.Discard}, nil
}

// streamOutput is the JobOutput of the modes that write as the job runs.
type streamOutput struct{ out, err io.Writer }

func (s *streamOutput) Stdout() io.Writer { return s.out }
func (s *streamOutput) Stderr() io.Writer { return s.err }
func (s *streamOutput) Close() error      { return nil }

// chunk is output on its way to the terminal goroutine.
type chunk struct {
	dst  io.Writer
	data []byte
}

// maxLine is the longest line tag mode holds back waiting for its newline;
// a longer one is written in pieces of this size, each on a line of its own.
const maxLine = 64 << 10

// lineWriter sends a job's output to the terminal goroutine: whole lines
// with a prefix (tag mode), or everything as it comes (raw mode). It is
// written by one copy goroutine; flush is called by the terminal goroutine
// once the job has ended. Sends are unbuffered, so a chunk has been taken
// by the terminal goroutine before the job can be reported finished.
type lineWriter struct {
	dst     io.Writer
	prefix  string
	raw     bool
	chunks  chan<- chunk
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.raw {
		w.chunks <- chunk{dst: w.dst, data: append([]byte(nil), p...)}
		return n, nil
	}
	var out []byte
	for len(p) > 0 {
		i := indexNewline(p)
		if i < 0 {
			room := maxLine - len(w.partial)
			if len(p) < room {
				w.partial = append(w.partial, p...)
				break
			}
			// An overlong line: write what fits as a line of its own.
			out = w.appendLine(out, p[:room])
			p = p[room:]
			continue
		}
		out = w.appendLine(out, p[:i])
		p = p[i+1:]
	}
	if len(out) > 0 {
		w.chunks <- chunk{dst: w.dst, data: out}
	}
	return n, nil
}

func (w *lineWriter) appendLine(out, line []byte) []byte {
	out = append(out, w.prefix...)
	out = append(out, w.partial...)
	out = append(out, line...)
	w.partial = w.partial[:0]
	return append(out, '\n')
}

// flush returns the last line, without a newline in the job's output, with
// one added.
func (w *lineWriter) flush() []byte {
	if w.raw || len(w.partial) == 0 {
		return nil
	}
	return w.appendLine(nil, nil)
}

func indexNewline(p []byte) int {
	for i, c := range p {
		if c == '\n' {
			return i
		}
	}
	return -1
}

// githubGroup wraps group-mode blocks for GitHub Actions' log folding.
func githubGroup(id string) (begin, end string) {
	return fmt.Sprintf("::group::%s\n", id), "::endgroup::\n"
}
