package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// jobhMain is the helper program that the scripts' jobs run:
//
//	jobh sleep DUR [PIDFILE]      write own pid to PIDFILE, then sleep
//	jobh hold FILE [PIDFILE]      write own pid, then wait until FILE exists (at most 60s)
//	jobh failtimes N COUNTER      fail (exit 1) on the first N runs, counted in COUNTER
//	jobh ignoreterm PIDFILE       ignore SIGTERM, write own pid, sleep 60s
//	jobh grandchild PIDFILE       start a sleeping child in the same group, write its pid, wait
//	jobh escape PIDFILE           start a child in a new session holding stdout and stderr, write its pid, exit
//	jobh print N [CHAR]           print N bytes of CHAR (default x) in lines of 64
//	jobh printenv KEY...          print KEY=value for each key
//	jobh printargs ARG...         print each argument in brackets, on one line
//	jobh notignored               exit 1 if SIGINT or SIGTERM is ignored in this process
//	jobh records FILE             check that every line of a results file is a whole record; print the count
//
// A pid file is written whole (by rename) so that a test waiting for it
// never reads half a pid.
func jobhMain() {
	args := os.Args[1:]
	if len(args) == 0 {
		fail("usage: jobh COMMAND ARGS...")
	}
	switch args[0] {
	case "sleep":
		d, err := time.ParseDuration(arg(args, 1))
		check(err)
		if len(args) > 2 {
			writePID(args[2], os.Getpid())
		}
		time.Sleep(d)
	case "hold":
		if len(args) > 2 {
			writePID(args[2], os.Getpid())
		}
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if _, err := os.Stat(arg(args, 1)); err == nil {
				return
			}
		}
		fail("hold: " + arg(args, 1) + " did not appear")
	case "failtimes":
		n, err := strconv.Atoi(arg(args, 1))
		check(err)
		b, _ := os.ReadFile(arg(args, 2))
		runs := strings.Count(string(b), "\n") + 1
		check(os.WriteFile(arg(args, 2), append(b, '\n'), 0o644))
		if runs <= n {
			fmt.Fprintf(os.Stderr, "failing run %d of %d\n", runs, n)
			os.Exit(1)
		}
		fmt.Println("succeeded on run", runs)
	case "ignoreterm":
		signal.Ignore(syscall.SIGTERM)
		writePID(arg(args, 1), os.Getpid())
		time.Sleep(time.Minute)
	case "grandchild":
		c := exec.Command(os.Args[0], "sleep", "60s")
		c.Args[0] = "jobh"
		check(c.Start())
		writePID(arg(args, 1), c.Process.Pid)
		_ = c.Wait()
	case "escape":
		c := exec.Command(os.Args[0], "sleep", "60s")
		c.Args[0] = "jobh"
		c.Stdout, c.Stderr = os.Stdout, os.Stderr
		c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		check(c.Start())
		writePID(arg(args, 1), c.Process.Pid)
		fmt.Println("escaped")
	case "alloc": // alloc MIB: touch MIB mebibytes of memory, then exit
		n, err := strconv.Atoi(arg(args, 1))
		check(err)
		b := make([]byte, n<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
	case "spin": // spin DUR: use DUR of CPU time, however long that takes
		d, err := time.ParseDuration(arg(args, 1))
		check(err)
		for x := 0; cpuTime() < d; x++ {
		}
	case "print":
		n, err := strconv.Atoi(arg(args, 1))
		check(err)
		char := "x"
		if len(args) > 2 {
			char = args[2]
		}
		line := strings.Repeat(char, 63) + "\n"
		w := bufio.NewWriterSize(os.Stdout, 64<<10)
		for ; n >= 64; n -= 64 {
			_, err := w.WriteString(line)
			check(err)
		}
		_, err = w.WriteString(line[:n])
		check(err)
		check(w.Flush())
	case "notignored":
		b, err := os.ReadFile("/proc/self/status")
		check(err)
		for _, line := range strings.Split(string(b), "\n") {
			if hex, ok := strings.CutPrefix(line, "SigIgn:"); ok {
				mask, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
				check(err)
				if mask&(1<<(syscall.SIGINT-1)|1<<(syscall.SIGTERM-1)) != 0 {
					fail("SIGINT or SIGTERM is ignored")
				}
			}
		}
		fmt.Println("signals not ignored")
	case "records":
		b, err := os.ReadFile(arg(args, 1))
		check(err)
		lines := strings.Split(string(b), "\n")
		if lines[len(lines)-1] != "" {
			fail("the last line has no newline")
		}
		for i, line := range lines[:len(lines)-1] {
			var rec struct {
				ID     *string `json:"id"`
				Status *string `json:"status"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.ID == nil || rec.Status == nil {
				fail(fmt.Sprintf("line %d is not a whole record: %q", i+1, line))
			}
		}
		fmt.Println(len(lines)-1, "records")
	case "printenv":
		for _, k := range args[1:] {
			fmt.Printf("%s=%s\n", k, os.Getenv(k))
		}
	case "printargs":
		words := make([]string, len(args)-1)
		for i, a := range args[1:] {
			words[i] = "[" + a + "]"
		}
		fmt.Println(strings.Join(words, " "))
	default:
		fail("jobh: unknown command " + args[0])
	}
}

func arg(args []string, i int) string {
	if i >= len(args) {
		fail("jobh " + args[0] + ": missing argument")
	}
	return args[i]
}

func writePID(path string, pid int) {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	check(os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644))
	check(os.Rename(tmp, filepath.Clean(path)))
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
