package runner

// defaultMemory is what --memfree reads unless told otherwise: /proc and
// the cgroup files. It is Linux's way whatever the build tags: drover_posix
// changes how processes are run, not where Linux keeps its figures.
func defaultMemory() MemorySource { return ProcMemory{Root: "/"} }

// defaultLoad is what --load reads unless told otherwise.
func defaultLoad() LoadSource { return ProcLoad{Root: "/"} }
