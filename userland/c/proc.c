/* /proc as ps and free read it: the caller's own entries through
 * /proc/self, a child's directory while it runs and as a zombie, the
 * listing of processes, memory figures that agree with sysinfo, and the
 * refusals of a read-only tree. Started as the boot module `proc`, so its
 * exe is /bin/proc. */
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
	if (n <= 0 || strstr(buf, want) == NULL || strstr(buf, "State:\tR") == NULL)
		report("child_running", "%s: %zd '%.120s'", path, n, buf);
	else
		report("child_running", NULL);

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
	memory();
	refusals();
	return check_status();
}
