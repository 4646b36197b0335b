package runner

import "syscall"

// The seam between platforms: spawn_linux.go and spawn_posix.go each
// define child (a started main process), spawn (start one) and child.wait
// (reap it, with its rusage).

// spawnSpec is what a job's main process is started with.
type spawnSpec struct {
	path     string   // the program
	argv     []string // argv[0] as the job gave it
	env      []string
	dir      string
	pathEnv  string // the PATH the program was looked up in
	foundKey string // the look-up remembered in ProcessExecutor.found, if used
}

// exit is how a main process ended; ok is false when its status could not
// be had.
type exit struct {
	status syscall.WaitStatus
	rusage syscall.Rusage // what the process used, as wait4 reported it
	ok     bool
}
