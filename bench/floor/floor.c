/*
 * floor: the least a job runner can do, for bench/run.sh to measure the
 * others against. It runs N copies of a command with at most P in flight,
 * each started with vfork and execve (the program looked up in PATH once),
 * stdout and stderr inherited, and reaps each with wait. No input to parse,
 * no pipes, no records, no signal handlers to reset: what is left is the
 * kernel's cost of starting, running and reaping the process.
 *
 * glibc's posix_spawn would add about 120 rt_sigaction calls a job (it
 * resets every signal's handler in the child); -s uses it, to show that.
 *
 *   floor [-s] N P PROGRAM [ARG...]
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *find(const char *name) {
	static char buf[PATH_MAX];
	if (strchr(name, '/'))
		return name;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? p : ".", name);
		if (access(buf, X_OK) == 0)
			return buf;
		if (!end)
			return NULL;
		p = end;
	}
}

int main(int argc, char **argv) {
	int use_spawn = argc > 1 && strcmp(argv[1], "-s") == 0;
	argv += use_spawn;
	argc -= use_spawn;
	if (argc < 4) {
		fprintf(stderr, "usage: floor [-s] N P PROGRAM [ARG...]\n");
		return 2;
	}
	long n = atol(argv[1]), p = atol(argv[2]);
	if (n < 0 || p < 1) {
		fprintf(stderr, "floor: N must be >= 0 and P >= 1\n");
		return 2;
	}
	const char *prog = find(argv[3]);
	if (!prog) {
		fprintf(stderr, "floor: %s: not found in PATH\n", argv[3]);
		return 2;
	}
	long started = 0, running = 0, failed = 0;
	while (started < n || running > 0) {
		while (started < n && running < p) {
			pid_t pid;
			if (use_spawn) {
				int err = posix_spawn(&pid, prog, NULL, NULL, argv + 3, environ);
				if (err != 0) {
					errno = err;
					perror("floor: posix_spawn");
					return 1;
				}
			} else {
				pid = vfork();
				if (pid == 0) {
					execve(prog, argv + 3, environ);
					_exit(127);
				}
				if (pid < 0) {
					perror("floor: vfork");
					return 1;
				}
			}
			started++;
			running++;
		}
		int status;
		if (wait(&status) < 0) {
			perror("floor: wait");
			return 1;
		}
		running--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	return failed ? 1 : 0;
}
