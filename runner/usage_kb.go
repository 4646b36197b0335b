//go:build !darwin

package runner

// maxRSSUnit is the unit of rusage's ru_maxrss: kilobytes on Linux and
// the BSDs.
const maxRSSUnit = 1024
