package console

import (
	"fmt"
	"io"

	"github.com/drover/drover/cmd/termtext"
)

// A job's output is lost when the terminal goroutine cannot write it whole:
// a spill file, a saved file, or drover's stdout or stderr that failed.
// The run then stops as for a results file that fails, and exits 2;
// drover's stdout closed by its reader (EPIPE) is not a loss but the end
// of the run (exit 141).

// writeJob writes job id's output p to w (drover's stdout or stderr).
func (t *terminal) writeJob(id string, w io.Writer, p []byte) {
	t.opts.Progress.clear()
	t.wrote = true
	_, err := w.Write(p)
	t.noteJobError(id, w, err)
}

// noteJobError notes an error writing job id's output: drover's stdout
// found closed stops the run (exit 141); any other error loses output.
func (t *terminal) noteJobError(id string, w io.Writer, err error) {
	if err == nil {
		return
	}
	if w == t.ios.Out && isEPIPE(err) {
		t.noteError(w, err)
		return
	}
	name := "stdout"
	if w != t.ios.Out {
		name = "stderr"
	}
	t.lose(id, fmt.Errorf("writing its output to drover's %s: %w", name, err))
}

// lose reports that job id's output was not written whole, and stops the
// run as a records file that fails does (exit 2).
func (t *terminal) lose(id string, err error) {
	t.lost++
	t.write(t.ios.ErrOut, fmt.Appendf(nil, "drover: job %s: output lost: %s\n", termtext.Escape(id), termtext.EscapeMessage(err.Error())))
	t.stop()
}

// stop calls onClosed, which stops the run, once.
func (t *terminal) stop() {
	if !t.stopped {
		t.stopped = true
		t.onClosed()
	}
}

// Lost is the number of jobs whose output was not written whole. It may
// be read once Loop has returned.
func (t *terminal) Lost() int { return t.lost }

// write writes p to w (drover's stdout or stderr) with the progress bar
// out of the way.
func (t *terminal) write(w io.Writer, p []byte) {
	t.opts.Progress.clear()
	t.wrote = true
	_, err := w.Write(p)
	t.noteError(w, err)
}
