package console

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

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
// With tag, group mode prefixes each line with the job's arguments and a
// TAB (GNU parallel's --tag).
func newSink(mode string, ios *iostreams.IOStreams, spool *runner.SpoolDir, chunks chan<- chunk, tag bool) (runner.Sink, error) {
	switch mode {
	case OutputGroup:
		return groupSink{dir: spool, tag: tag, terminal: ios.OutTTY}, nil
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
// 1 MiB each, then a private file), to be written whole when the job ends;
// with tag, each line prefixed with the job's tag and a TAB.
type groupSink struct {
	dir           *runner.SpoolDir
	tag, terminal bool
}

func (s groupSink) Open(job *jobspec.Job) (runner.JobOutput, error) {
	g := &groupOutput{out: runner.Spool{Dir: s.dir}, err: runner.Spool{Dir: s.dir}}
	g.stdout, g.stderr = &g.out, &g.err
	if s.tag {
		prefix := []byte(tagOf(job, s.terminal) + "\t")
		g.stdout, g.stderr = &linePrefixer{w: &g.out, prefix: prefix}, &linePrefixer{w: &g.err, prefix: prefix}
	}
	return g, nil
}

// groupOutput is a job's output in group mode: stdout and stderr write to
// the spools out and err, through a tag's prefixer or directly.
type groupOutput struct {
	out, err       runner.Spool
	stdout, stderr io.Writer
}

func (g *groupOutput) Stdout() io.Writer { return g.stdout }
func (g *groupOutput) Stderr() io.Writer { return g.stderr }
func (g *groupOutput) Close() error      { return errors.Join(g.out.Close(), g.err.Close()) }

// OutputErr is the first error spilling the job's output to disk: what
// came after it was lost.
func (g *groupOutput) OutputErr() error {
	if err := g.out.Err(); err != nil {
		return fmt.Errorf("spilling its stdout to disk: %w", err)
	}
	if err := g.err.Err(); err != nil {
		return fmt.Errorf("spilling its stderr to disk: %w", err)
	}
	return nil
}

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
		out: &lineWriter{id: job.ID, dst: s.ios.Out, prefix: prefix, chunks: s.chunks},
		err: &lineWriter{id: job.ID, dst: s.ios.ErrOut, prefix: prefix, chunks: s.chunks},
	}, nil
}

// rawSink hands jobs drover's own stdout and stderr. When those are files
// the job writes to them directly; otherwise (in tests) its writes pass
// through the terminal goroutine unchanged.
type rawSink struct {
	ios    *iostreams.IOStreams
	chunks chan<- chunk
}

func (s rawSink) Open(job *jobspec.Job) (runner.JobOutput, error) {
	return &streamOutput{out: s.direct(job, s.ios.Out), err: s.direct(job, s.ios.ErrOut)}, nil
}

func (s rawSink) direct(job *jobspec.Job, w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		return f
	}
	return &lineWriter{id: job.ID, dst: w, raw: true, chunks: s.chunks}
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

// chunk is output on its way to the terminal goroutine. Its data is from
// chunkBufs and goes back there once written: the terminal goroutine owns
// it from the send on.
type chunk struct {
	id   string // the job's
	dst  io.Writer
	data []byte
}

// chunkBufs are the buffers of chunks, shared by every job: a job's output
// costs no allocation once a few are made.
var chunkBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooled is the largest buffer kept for another chunk.
const maxPooled = 2 << 20

// newChunkBuf returns an empty buffer with room for n bytes.
func newChunkBuf(n int) []byte {
	b := *chunkBufs.Get().(*[]byte)
	if cap(b) < n {
		return make([]byte, 0, max(n, 8<<10))
	}
	return b[:0]
}

// release gives a written chunk's buffer back.
func (c chunk) release() {
	if cap(c.data) <= maxPooled {
		b := c.data[:0]
		chunkBufs.Put(&b)
	}
}

// maxLine is the longest line tag mode holds back waiting for its newline;
// a longer one is written in pieces of this size, each on a line of its own.
const maxLine = 64 << 10

// lineWriter sends a job's output to the terminal goroutine: whole lines
// with a prefix (tag mode), or everything as it comes (raw mode). It is
// written by one copy goroutine; flush is called by the terminal goroutine
// once the job has ended. Sends are unbuffered, so a chunk has been taken
// by the terminal goroutine before the job can be reported finished. All
// the whole lines of one write go in one chunk, and so in one write to
// drover's stdout.
type lineWriter struct {
	id      string // the job's
	dst     io.Writer
	prefix  string
	raw     bool
	chunks  chan<- chunk
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.raw {
		w.chunks <- chunk{id: w.id, dst: w.dst, data: append(newChunkBuf(n), p...)}
		return n, nil
	}
	lines := bytes.Count(p, newline)
	if lines == 0 && len(w.partial)+len(p) < maxLine {
		w.partial = append(w.partial, p...)
		return n, nil
	}
	out := newChunkBuf(len(w.partial) + len(p) + (lines+1)*(len(w.prefix)+1))
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
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
		if len(w.partial)+i > maxLine {
			room := maxLine - len(w.partial)
			out = w.appendLine(out, p[:room])
			p = p[room:]
			continue
		}
		out = w.appendLine(out, p[:i])
		p = p[i+1:]
	}
	if len(out) > 0 {
		w.chunks <- chunk{id: w.id, dst: w.dst, data: out}
	} else {
		chunk{data: out}.release()
	}
	return n, nil
}

var newline = []byte{'\n'}

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

// githubGroup wraps group-mode blocks for GitHub Actions' log folding.
func githubGroup(id string) (begin, end string) {
	return fmt.Sprintf("::group::%s\n", id), "::endgroup::\n"
}
