//go:build !linux || drover_posix

package console

import "io"

// growPipe does nothing: only Linux sizes pipes (pipesize_linux.go).
func growPipe(w io.Writer) {}
