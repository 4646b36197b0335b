package runner

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cgroupDirs returns the cgroup v2 directories that limit this process,
// its own first and then each parent up to the top of the hierarchy, as
// seen from root (the machine's "/" but in tests). No cgroup v2 hierarchy
// means no directories, and no error.
func cgroupDirs(root string) []string {
	return groupDirs(root, func(hierarchy, controllers string) bool { return hierarchy == "0" && controllers == "" },
		func(m mount) bool { return m.fstype == "cgroup2" }, "/sys/fs/cgroup")
}

// cgroupV1Dirs is cgroupDirs for the cgroup v1 hierarchy of one controller
// ("memory", "cpu").
func cgroupV1Dirs(root, controller string) []string {
	has := func(list string) bool { return slices.Contains(strings.Split(list, ","), controller) }
	return groupDirs(root, func(hierarchy, controllers string) bool { return hierarchy != "0" && has(controllers) },
		func(m mount) bool { return m.fstype == "cgroup" && has(m.options) }, "/sys/fs/cgroup/"+controller)
}

// groupDirs finds the process's group in proc/self/cgroup (the line that
// isLine picks) and where its hierarchy is mounted in proc/self/mountinfo
// (the mount that isMount picks; fallback when mountinfo names none).
func groupDirs(root string, isLine func(hierarchy, controllers string) bool, isMount func(mount) bool, fallback string) []string {
	b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return nil
	}
	group, found := "", false
	for line := range strings.Lines(string(b)) {
		f := strings.SplitN(strings.TrimSpace(line), ":", 3) // hierarchy:controllers:path
		if len(f) == 3 && isLine(f[0], f[1]) {
			group, found = f[2], true
			break
		}
	}
	if !found || !strings.HasPrefix(group, "/") {
		return nil
	}
	m := mount{point: fallback, root: "/"}
	for _, c := range mounts(root) {
		if isMount(c) {
			m = c
			break
		}
	}
	rel, ok := strings.CutPrefix(group, m.root)
	if !ok || (m.root != "/" && rel != "" && !strings.HasPrefix(rel, "/")) {
		return nil // the process's group is outside what is mounted
	}
	rel = path.Clean("/" + rel)
	var dirs []string
	for {
		dirs = append(dirs, filepath.Join(root, m.point, rel))
		if rel == "/" {
			return dirs
		}
		rel = path.Dir(rel)
	}
}

// mount is one line of proc/self/mountinfo.
type mount struct {
	root, point     string // the directory of the file system shown, and where
	fstype, options string // options: the file system's own (super) options
}

func mounts(root string) []mount {
	b, err := os.ReadFile(filepath.Join(root, "proc/self/mountinfo"))
	if err != nil {
		return nil
	}
	var ms []mount
	for line := range strings.Lines(string(b)) {
		// id parent major:minor root mount-point options... - type source super-options
		pre, post, ok := strings.Cut(strings.TrimSpace(line), " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 1 {
			continue
		}
		m := mount{root: f[3], point: f[4], fstype: g[0]}
		if len(g) >= 3 {
			m.options = g[2]
		}
		ms = append(ms, m)
	}
	return ms
}

// readCgroupFile returns the trimmed content of a cgroup file, and false
// when it cannot be read.
func readCgroupFile(dir, name string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// readCgroupInt reads a cgroup file that holds one integer.
func readCgroupInt(dir, name string) (int64, bool) {
	s, ok := readCgroupFile(dir, name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// cgroupStat reads one field of a group's memory.stat.
func cgroupStat(dir, field string) int64 {
	s, _ := readCgroupFile(dir, "memory.stat")
	for line := range strings.Lines(s) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+" "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}
