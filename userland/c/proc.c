/* /proc as ps, free and mount read it: the caller's own entries through
 * /proc/self, a child's directory and its state (S while it waits in
 * pause or in a read of a pipe, T while stopped, Z until waited for), the
 * listing of processes, memory figures that agree with sysinfo, the mount
 * table, and the refusals of a read-only tree. Started as the boot module
 * `proc`, so its exe is /bin/proc. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* The whole of small file `path` in `buf` (NUL added); its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t total = 0, n;
	while ((n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return n < 0 ? -1 : total;
}

/* Whether directory /proc lists `name`. */
static int listed(const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;
	while (d && (e = readdir(d)) != NULL)
		found += strcmp(e->d_name, name) == 0;
	if (d)
		closedir(d);
	return found;
}

static void self_entries(int argc, char **argv)
{
	char buf[4096], want[64];
	ssize_t n = slurp("/proc/self/stat", buf, sizeof buf);
	int pid = 0, ppid = -1, pgrp = 0;
	char comm[64] = "", state = 0;
	int fields = n > 0 ? sscanf(buf, "%d (%63[^)]) %c %d %d", &pid, comm, &state, &ppid, &pgrp) : 0;
	if (fields != 5 || pid != getpid() || ppid != getppid() || pgrp != getpgrp() || strcmp(comm, "proc") != 0 ||
	    state != 'R')
		report("self_stat", "read %zd: '%.80s' (pid %d of %d, ppid %d of %d, comm '%s', state %c)", n, buf, pid,
		       getpid(), ppid, getppid(), comm, state ? state : '?');
	else
		report("self_stat", NULL);

	n = slurp("/proc/self/status", buf, sizeof buf);
	snprintf(want, sizeof want, "Pid:\t%d\n", getpid());
	if (n <= 0 || strstr(buf, "Name:\tproc\n") == NULL || strstr(buf, want) == NULL || strstr(buf, "VmRSS:") == NULL)
		report("self_status", "read %zd: '%.120s'", n, buf);
	else
		report("self_status", NULL);

	char target[256] = "";
	ssize_t len = readlink("/proc/self/exe", target, sizeof target - 1);
	if (len < 0 || strcmp(target, "/bin/proc") != 0)
		report("self_exe", "readlink %zd: '%s' (%s), expected /bin/proc", len, target, len < 0 ? errno_name(errno) : "");
	else
		report("self_exe", NULL);

	len = readlink("/proc/self", target, sizeof target - 1);
	snprintf(want, sizeof want, "%d", getpid());
	if (len < 0 || (target[len] = 0, strcmp(target, want) != 0))
		report("self_link", "readlink /proc/self: %zd '%s', expected %s", len, len < 0 ? "" : target, want);
	else
		report("self_link", NULL);

	/* cmdline: every argument, each followed by a NUL. */
	n = slurp("/proc/self/cmdline", buf, sizeof buf);
	ssize_t at = 0;
	int same = n > 0;
	for (int i = 0; i < argc && same; i++) {
		same = at + (ssize_t)strlen(argv[i]) < n && strcmp(buf + at, argv[i]) == 0;
		at += strlen(argv[i]) + 1;
	}
	if (!same || at != n)
		report("self_cmdline", "read %zd bytes, %d arguments matched up to byte %zd", n, argc, at);
	else
		report("self_cmdline", NULL);

	snprintf(want, sizeof want, "%d", getpid());
	if (!listed(want) || !listed("self") || !listed("meminfo"))
		report("listing", "own pid %d listed %d, self %d, meminfo %d", getpid(), listed(want), listed("self"),
		       listed("meminfo"));
	else
		report("listing", NULL);
}

static void child_entries(void)
{
	int ready[2];
	if (pipe(ready) != 0) {
		report("child_running", "pipe: %s", errno_name(errno));
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		close(ready[0]);
		write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	char c, path[64], buf[4096], want[64];
	read(ready[0], &c, 1);
	snprintf(path, sizeof path, "/proc/%d/status", (int)child);
	ssize_t n = slurp(path, buf, sizeof buf);
	snprintf(want, sizeof want, "PPid:\t%d\n", getpid());
	/* Asleep in pause once it gets there. */
	for (int tries = 0; tries < 200 && (n = slurp(path, buf, sizeof buf)) > 0 && !strstr(buf, "State:\tS"); tries++)
		usleep(5000);
	if (n <= 0 || strstr(buf, want) == NULL || strstr(buf, "State:\tS (sleeping)\n") == NULL)
		report("child_sleeping", "%s: %zd '%.120s'", path, n, buf);
	else
		report("child_sleeping", NULL);

	kill(child, SIGKILL);
	/* A zombie until waited for: state Z. */
	snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
	char state = 0;
	for (int tries = 0; tries < 200 && state != 'Z'; tries++) {
		n = slurp(path, buf, sizeof buf);
		char *close_paren = n > 0 ? strrchr(buf, ')') : NULL;
		state = close_paren ? close_paren[2] : 0;
		if (state != 'Z')
			usleep(5000);
	}
	if (state != 'Z')
		report("child_zombie", "%s: state %c, expected Z", path, state ? state : '?');
	else
		report("child_zombie", NULL);

	waitpid(child, NULL, 0);
	char name[32];
	snprintf(name, sizeof name, "%d", (int)child);
	struct stat st;
	if (stat(path, &st) == 0 || errno != ENOENT || listed(name))
		report("child_gone", "%s after wait: stat %s, listed %d", path, errno_name(errno), listed(name));
	else
		report("child_gone", NULL);
	close(ready[0]);
	close(ready[1]);
}

/* The state letter of process `pid` in its stat, 0 if it cannot be read. */
static char state_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	char *close_paren = slurp(path, buf, sizeof buf) > 0 ? strrchr(buf, ')') : NULL;
	return close_paren ? close_paren[2] : 0;
}

/* Waits up to a second for process `pid` to be in state `want`; its last
 * state. */
static char await_state(pid_t pid, char want)
{
	char state = 0;
	for (int tries = 0; tries < 200 && (state = state_of(pid)) != want; tries++)
		usleep(5000);
	return state;
}

/* A child blocked reading an empty pipe sleeps (S); stopped by SIGSTOP it
 * is T, and sleeps again after SIGCONT. */
static void child_states(void)
{
	int p[2];
	if (pipe(p) != 0) {
		report("state_reading", "pipe: %s", errno_name(errno));
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	char state = await_state(child, 'S');
	if (state != 'S')
		report("state_reading", "a child reading a pipe is %c, expected S", state ? state : '?');
	else
		report("state_reading", NULL);

	kill(child, SIGSTOP);
	state = await_state(child, 'T');
	if (state != 'T')
		report("state_stopped", "a stopped child is %c, expected T", state ? state : '?');
	else
		report("state_stopped", NULL);

	kill(child, SIGCONT);
	state = await_state(child, 'S');
	if (state != 'S')
		report("state_continued", "a continued child is %c, expected S", state ? state : '?');
	else
		report("state_continued", NULL);

	int status = -1;
	write(p[1], "x", 1);
	waitpid(child, &status, 0);
	close(p[1]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("state_child_read", "the child's read failed: status %#x", status);
	else
		report("state_child_read", NULL);
}

/* /proc/mounts and /proc/self/mounts: the same table, a line per mount in
 * Linux's format, with the root and /proc among them. */
static void mounts(void)
{
	char all[2048], own[2048], source[128], point[128], type[32], options[64];
	ssize_t n = slurp("/proc/mounts", all, sizeof all), m = slurp("/proc/self/mounts", own, sizeof own);
	int lines = 0, root = 0, proc = 0, tmp = 0, bad = 0, zeros[2];
	for (char *line = n > 0 ? strtok(all, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		lines++;
		if (sscanf(line, "%127s %127s %31s %63s %d %d", source, point, type, options, &zeros[0], &zeros[1]) != 6 ||
		    zeros[0] != 0 || zeros[1] != 0 || strcmp(options, "rw") != 0) {
			bad++;
			continue;
		}
		root += strcmp(point, "/") == 0 && (strcmp(type, "vfat") == 0 || strcmp(type, "tmpfs") == 0);
		proc += strcmp(source, "proc") == 0 && strcmp(point, "/proc") == 0 && strcmp(type, "proc") == 0;
		tmp += strcmp(source, "tmpfs") == 0 && strcmp(point, "/tmp") == 0 && strcmp(type, "tmpfs") == 0;
		/* On a FAT root /tmp is a mount of its own; on a tmpfs root it is a directory. */
		tmp += strcmp(point, "/") == 0 && strcmp(type, "tmpfs") == 0;
	}
	n = slurp("/proc/mounts", all, sizeof all);
	if (n <= 0 || m != n || memcmp(all, own, n) != 0 || bad || root != 1 || proc != 1 || tmp != 1)
		report("mounts", "%d lines (%d bad): root %d, proc %d, tmp %d; self's %zd bytes of %zd: '%.100s'", lines, bad,
		       root, proc, tmp, m, n, all);
	else
		report("mounts", NULL);
}

static void memory(void)
{
	char buf[4096];
	unsigned long total = 0, free_kb = 0;
	ssize_t n = slurp("/proc/meminfo", buf, sizeof buf);
	char *t = strstr(buf, "MemTotal:"), *f = strstr(buf, "MemFree:");
	if (t)
		sscanf(t, "MemTotal: %lu kB", &total);
	if (f)
		sscanf(f, "MemFree: %lu kB", &free_kb);
	struct sysinfo info;
	sysinfo(&info);
	unsigned long sys_total = info.totalram * info.mem_unit / 1024;
	if (n <= 0 || total == 0 || total != sys_total || free_kb == 0 || free_kb > total)
		report("meminfo", "MemTotal %lu kB (sysinfo %lu), MemFree %lu kB", total, sys_total, free_kb);
	else
		report("meminfo", NULL);

	double up = -1;
	n = slurp("/proc/uptime", buf, sizeof buf);
	if (n <= 0 || sscanf(buf, "%lf", &up) != 1 || up < 0)
		report("uptime", "read %zd: '%s'", n, buf);
	else
		report("uptime", NULL);
}

static void refusals(void)
{
	EXPECT_ERROR("write_refused", open("/proc/meminfo", O_WRONLY), EACCES);
	EXPECT_ERROR("create_refused", open("/proc/new", O_CREAT | O_WRONLY, 0644), EACCES);
	EXPECT_ERROR("no_such_process", open("/proc/999999/stat", O_RDONLY), ENOENT);
	EXPECT_ERROR("remove_refused", rmdir("/proc"), EBUSY);
}

int main(int argc, char **argv)
{
	check_suite = "proc";
	self_entries(argc, argv);
	child_entries();
	child_states();
	mounts();
	memory();
	refusals();
	return check_status();
}
