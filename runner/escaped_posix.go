//go:build !linux || drover_posix

package runner

import "time"

// stopEscaped stops the processes that jobs left running outside their
// process groups, where drover can find them: only a child subreaper
// inherits them (escaped_linux.go). Here they went to init, out of
// drover's reach, and it returns 0.
func stopEscaped(grace time.Duration, killNow <-chan struct{}) int { return 0 }

// ReapExited collects the exit status of drover's children that are no
// job's main process. Without a child subreaper, drover has none (the
// watchdog is reaped by its own handle), and it returns 0. It may be
// called from any goroutine, while jobs run.
func (e *ProcessExecutor) ReapExited() int { return 0 }
