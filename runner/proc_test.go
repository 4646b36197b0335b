package runner

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

var errFake = errors.New("fake failure")

// fakeRoot writes files (path relative to the root: content) into a
// temporary directory that stands for "/".
func fakeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const meminfo = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n"

const mountinfoV2 = "25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"

const mountinfoHybrid = "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"

func TestProcMemory(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  int64
	}{
		{"no cgroup", map[string]string{"proc/meminfo": meminfo}, 8000000 * 1024},
		{"cgroup without limit", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/job\n", "proc/self/mountinfo": mountinfoV2,
			"sys/fs/cgroup/job/memory.max": "max\n", "sys/fs/cgroup/job/memory.current": "5000\n",
		}, 8000000 * 1024},
		{"cgroup limit smaller", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/job\n", "proc/self/mountinfo": mountinfoV2,
			"sys/fs/cgroup/job/memory.max": "1073741824\n", "sys/fs/cgroup/job/memory.current": "73741824\n",
		}, 1000000000},
		{"parent limit smaller", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/a/b\n", "proc/self/mountinfo": mountinfoV2,
			"sys/fs/cgroup/a/b/memory.max": "max", "sys/fs/cgroup/a/b/memory.current": "100",
			"sys/fs/cgroup/a/memory.max": "1000", "sys/fs/cgroup/a/memory.current": "400",
		}, 600},
		{"over the limit", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/a\n",
			"sys/fs/cgroup/a/memory.max": "1000", "sys/fs/cgroup/a/memory.current": "1200",
		}, 0},
		{"hybrid: v2 mounted apart, v1 lines ignored", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/x\n0::/a\n", "proc/self/mountinfo": mountinfoHybrid,
			"sys/fs/cgroup/unified/a/memory.max": "2000", "sys/fs/cgroup/unified/a/memory.current": "1000",
			"sys/fs/cgroup/a/memory.max": "1", "sys/fs/cgroup/a/memory.current": "0",
		}, 1000},
		{"cgroup v1 files where v2 has its own are not read", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/x\n",
			"sys/fs/cgroup/x/memory.max": "1", "sys/fs/cgroup/x/memory.current": "0",
		}, 8000000 * 1024},
		{"cgroup v1 limit", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/x\n0::/\n", "proc/self/mountinfo": mountinfoHybrid,
			"sys/fs/cgroup/memory/x/memory.limit_in_bytes": "1000", "sys/fs/cgroup/memory/x/memory.usage_in_bytes": "600",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712", "sys/fs/cgroup/memory/memory.usage_in_bytes": "999999",
		}, 400},
		{"v2 file cache is not used memory", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/a\n",
			"sys/fs/cgroup/a/memory.max": "1000", "sys/fs/cgroup/a/memory.current": "900",
			"sys/fs/cgroup/a/memory.stat": "anon 300\nfile 600\nactive_file 100\ninactive_file 500\n",
		}, 600},
		{"v1 file cache is not used memory", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/x\n", "proc/self/mountinfo": mountinfoHybrid,
			"sys/fs/cgroup/memory/x/memory.limit_in_bytes": "1000", "sys/fs/cgroup/memory/x/memory.usage_in_bytes": "900",
			"sys/fs/cgroup/memory/x/memory.stat": "cache 600\ninactive_file 1\ntotal_inactive_file 500\n",
		}, 600},
		{"namespaced: the mount shows the group's own directory", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/pod/c1\n",
			"proc/self/mountinfo":      "25 1 0:22 /pod/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			"sys/fs/cgroup/memory.max": "3000", "sys/fs/cgroup/memory.current": "1000",
		}, 2000},
		{"unreadable limit files are skipped", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/a\n",
			"sys/fs/cgroup/a/memory.max": "lots", "sys/fs/cgroup/a/memory.current": "1",
		}, 8000000 * 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProcMemory{Root: fakeRoot(t, tt.files)}.Available()
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestProcMemoryErrors(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no meminfo":      {},
		"no MemAvailable": {"proc/meminfo": "MemTotal: 1 kB\n"},
		"bad number":      {"proc/meminfo": "MemAvailable: x kB\n"},
	} {
		if _, err := (ProcMemory{Root: fakeRoot(t, files)}).Available(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestProcLoad(t *testing.T) {
	root := fakeRoot(t, map[string]string{"proc/loadavg": "2.74 1.25 0.47 6/100 32307\n"})
	n, err := ProcLoad{Root: root}.Runnable()
	if err != nil || n != 5 {
		t.Fatalf("got %v, %v; want 5 (6 less the reader)", n, err)
	}
	for name, content := range map[string]string{"short": "1.0 1.0 1.0\n", "bad": "1 1 1 x/100 1\n"} {
		root := fakeRoot(t, map[string]string{"proc/loadavg": content})
		if _, err := (ProcLoad{Root: root}).Runnable(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := (ProcLoad{Root: t.TempDir()}).Runnable(); err == nil {
		t.Error("missing file: no error")
	}
}

func TestCPUs(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		online int
		want   int
	}{
		{"no cgroup", map[string]string{}, 8, 8},
		{"no quota", map[string]string{"proc/self/cgroup": "0::/a\n", "sys/fs/cgroup/a/cpu.max": "max 100000\n"}, 8, 8},
		{"quota rounds up", map[string]string{"proc/self/cgroup": "0::/a\n", "sys/fs/cgroup/a/cpu.max": "150000 100000\n"}, 8, 2},
		{"parent quota", map[string]string{
			"proc/self/cgroup": "0::/a/b\n", "sys/fs/cgroup/a/b/cpu.max": "400000 100000", "sys/fs/cgroup/a/cpu.max": "300000 100000",
		}, 8, 3},
		{"quota above the CPUs", map[string]string{"proc/self/cgroup": "0::/a\n", "sys/fs/cgroup/a/cpu.max": "1600000 100000\n"}, 4, 4},
		{"tiny quota is one", map[string]string{"proc/self/cgroup": "0::/a\n", "sys/fs/cgroup/a/cpu.max": "1000 100000\n"}, 4, 1},
		{"garbage", map[string]string{"proc/self/cgroup": "0::/a\n", "sys/fs/cgroup/a/cpu.max": "fast\n"}, 4, 4},
		{"v1 quota", map[string]string{
			"proc/self/cgroup":                             "3:cpu,cpuacct:/a\n",
			"proc/self/mountinfo":                          "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
			"sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_quota_us": "250000", "sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_period_us": "100000",
			"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1", "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000",
		}, 8, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cpus(fakeRoot(t, tt.files), tt.online); got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}
	if CPUs("/") < 1 {
		t.Fatal("fewer than one CPU")
	}
}
