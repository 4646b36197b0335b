package runner

// The page counters SysctlMemory adds up on darwin: free pages, pages
// read ahead and not yet used (speculative), purgeable pages, and the
// file-backed (external) ones, the file cache; and the size of a page.
var availablePages = []string{"vm.page_free_count", "vm.page_speculative_count", "vm.page_purgeable_count", "vm.page_pageable_external_count"}

const pageSizeName = "hw.pagesize"
