package runner

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// scanLines reads a results file's lines from r and calls fn with each
// that is not blank, trimmed, and its number; the slice is fn's only
// during the call. An error, from reading or from fn, is returned naming
// the line (name:line).
func scanLines(r io.Reader, name string, fn func(line int, trimmed []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // a line longer than br's buffer, put together
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			long = append(long, b...)
			b, err = br.ReadSlice('\n')
		}
		if len(long) > 0 {
			b, long = append(long, b...), long[:0]
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 {
			if ferr := fn(line, trimmed); ferr != nil {
				return fmt.Errorf("%s:%d: %w", name, line, ferr)
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}
