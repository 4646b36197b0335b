package runner

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// cgroupDirs returns the cgroup v2 directories that limit this process,
// its own first and then each parent up to the top of the hierarchy, as
// seen from root (the machine's "/" but in tests). It finds the process's
// cgroup in proc/self/cgroup and where the hierarchy is mounted in
// proc/self/mountinfo (/sys/fs/cgroup when mountinfo names none). No
// cgroup v2 hierarchy means no directories, and no error.
func cgroupDirs(root string) []string {
	b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return nil
	}
	var group string
	found := false
	for line := range strings.Lines(string(b)) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "0::"); ok {
			group, found = p, true
			break
		}
	}
	if !found || !strings.HasPrefix(group, "/") {
		return nil
	}
	mount, mountRoot := cgroup2Mount(root)
	rel, ok := strings.CutPrefix(group, mountRoot)
	if !ok || (mountRoot != "/" && rel != "" && !strings.HasPrefix(rel, "/")) {
		return nil // the process's cgroup is outside what is mounted
	}
	rel = path.Clean("/" + rel)
	var dirs []string
	for {
		dirs = append(dirs, filepath.Join(root, mount, rel))
		if rel == "/" {
			return dirs
		}
		rel = path.Dir(rel)
	}
}

// cgroup2Mount returns where the cgroup v2 hierarchy is mounted and which
// of its directories the mount shows at its top.
func cgroup2Mount(root string) (mount, mountRoot string) {
	b, err := os.ReadFile(filepath.Join(root, "proc/self/mountinfo"))
	if err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			// id parent major:minor root mount-point options... - type source options
			pre, post, ok := strings.Cut(sc.Text(), " - ")
			if !ok || !strings.HasPrefix(post, "cgroup2 ") {
				continue
			}
			f := strings.Fields(pre)
			if len(f) >= 5 {
				return f[4], f[3]
			}
		}
	}
	return "/sys/fs/cgroup", "/"
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
