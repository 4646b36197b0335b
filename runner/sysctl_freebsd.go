package runner

// The page counters SysctlMemory adds up on FreeBSD: free pages and
// inactive ones (clean file cache among them, the first the page daemon
// reclaims); and the size of a page.
var availablePages = []string{"vm.stats.vm.v_free_count", "vm.stats.vm.v_inactive_count"}

const pageSizeName = "vm.stats.vm.v_page_size"
