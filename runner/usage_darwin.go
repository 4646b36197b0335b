package runner

// maxRSSUnit is the unit of rusage's ru_maxrss: bytes on darwin.
const maxRSSUnit = 1
