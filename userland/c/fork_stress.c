/* Fork in bulk, alone on the machine (its own scenario, so that no other
 * program's memory use or processes disturb the counts):
 * - 1,000 fork + exit + wait cycles, after which the free memory and the
 *   process count are what they were (sysinfo);
 * - forking without waiting until the process table is full, which fails
 *   with EAGAIN while the system stays responsive; after collecting the
 *   zombies, fork works again;
 * - a process touching more memory than the machine has, which is killed
 *   (SIGKILL) while everything else goes on;
 * - filling the in-memory file system (ENOSPC; nothing lost; the space
 *   comes back);
 * - a shared file mapping filled and its file truncated: the memory
 *   comes back, and the mapping past the new end is a bus error.
 *
 * Prints one "test: fork_stress/<name> ... ok|FAILED" line per check
 * (check.h) and exits with 0 when every check passed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define CYCLES 1000
/* More than the process table holds. */
#define TOO_MANY 1000

/* One fork + exit + wait; 0 when the child exited with 0. */
static int cycle(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	int status;
	if (waitpid(pid, &status, 0) != pid || status != 0)
		return -1;
	return 0;
}

static void fork_cycles(void)
{
	struct sysinfo before, after;
	/* Warm up: the stack and heap pages this loop touches get backed, and
	 * so does libposix's signal delivery stack, which the first signal
	 * taken uses (a SIGCHLD that came while libposix blocked signals in a
	 * fork is one). */
	for (int i = 0; i < 10; i++)
		cycle();
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	raise(SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	if (sysinfo(&before) != 0) {
		report("fork_cycles_memory", "sysinfo failed with errno %d", errno);
		return;
	}
	int failed = 0;
	for (int i = 0; i < CYCLES; i++)
		failed += cycle() != 0;
	sysinfo(&after);
	if (failed)
		report("fork_cycles", "%d of %d cycles failed", failed, CYCLES);
	else
		report("fork_cycles", NULL);
	if (after.freeram != before.freeram)
		report("fork_cycles_memory", "free memory %lu bytes before, %lu after", before.freeram, after.freeram);
	else if (after.procs != before.procs)
		report("fork_cycles_memory", "%u processes before, %u after", before.procs, after.procs);
	else
		report("fork_cycles_memory", NULL);
}

static void process_limit(void)
{
	struct sysinfo before;
	sysinfo(&before);
	int made = 0, error = 0;
	for (int i = 0; i < TOO_MANY; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(3);
		if (pid < 0) {
			error = errno;
			break;
		}
		made++;
	}
	if (error != EAGAIN)
		report("fork_limit_eagain", "%d forks, then errno %d", made, error);
	else
		report("fork_limit_eagain", NULL);
	/* Still responsive: calls to mm0 work and the zombies are all there. */
	struct sysinfo full;
	if (sysinfo(&full) != 0 || full.procs != before.procs + made)
		report("fork_limit_responsive", "%u processes with %d zombies", full.procs, made);
	else
		report("fork_limit_responsive", NULL);
	int collected = 0, status;
	while (wait(&status) > 0)
		collected += WIFEXITED(status) && WEXITSTATUS(status) == 3;
	if (collected != made)
		report("fork_limit_collect", "collected %d of %d", collected, made);
	else
		report("fork_limit_collect", NULL);
	if (cycle() != 0)
		report("fork_after_limit", "fork failed with errno %d", errno);
	else
		report("fork_after_limit", NULL);
}

/* A fork bomb in its own process group: every process forks until fork
 * fails, then waits. The table fills, fork says EAGAIN, the rest of the
 * system still answers, and killing the group brings everything back. */
static void fork_bomb(void)
{
	struct sysinfo before, during, after;
	sysinfo(&before);
	pid_t root = fork();
	if (root == 0) {
		setpgid(0, 0);
		for (;;) {
			pid_t p = fork();
			if (p < 0)
				break;
		}
		for (;;)
			pause();
	}
	/* Wait for the table to fill (or give up after about 20 s). */
	for (int i = 0; i < 2000; i++) {
		sysinfo(&during);
		if (during.procs >= 250)
			break;
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	pid_t extra = fork();
	int error = errno;
	if (extra == 0)
		_exit(0);
	if (during.procs < 250 || extra >= 0 || error != EAGAIN)
		report("fork_bomb_contained", "%u processes, our fork returned %d (errno %d)", during.procs, (int)extra,
		       error);
	else
		report("fork_bomb_contained", NULL);
	kill(-root, SIGKILL);
	int status;
	waitpid(root, &status, 0);
	for (int i = 0; i < 200; i++) {
		sysinfo(&after);
		if (after.procs == before.procs)
			break;
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	if (after.procs != before.procs || after.freeram != before.freeram)
		report("fork_bomb_cleaned_up", "%u processes and %lu bytes free before, %u and %lu after", before.procs,
		       before.freeram, after.procs, after.freeram);
	else
		report("fork_bomb_cleaned_up", NULL);
}

/* A process that touches more memory than there is ends by SIGKILL, the
 * rest of the system goes on, and every frame comes back. */
static void out_of_memory(void)
{
	struct sysinfo before, after;
	sysinfo(&before);
	pid_t pid = fork();
	if (pid == 0) {
		size_t len = (size_t)before.totalram + (64 << 20);
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 1;
		_exit(2);
	}
	int status;
	waitpid(pid, &status, 0);
	sysinfo(&after);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		report("out_of_memory_kills_the_process", "status %#x", status);
	else
		report("out_of_memory_kills_the_process", NULL);
	if (after.freeram != before.freeram)
		report("out_of_memory_frees_everything", "%lu bytes free before, %lu after", before.freeram, after.freeram);
	else if (cycle() != 0)
		report("out_of_memory_frees_everything", "fork fails afterwards");
	else
		report("out_of_memory_frees_everything", NULL);
	void *huge = mmap(NULL, 1UL << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int error = errno;
	if (huge != MAP_FAILED || error != ENOMEM)
		report("mmap_beyond_address_space", "returned %p, errno %d", huge, error);
	else
		report("mmap_beyond_address_space", NULL);
}

/* Filling the in-memory file system: writes stop with ENOSPC (or a short
 * count), what was written reads back, and removing the file gives the
 * space back. Tern's tmpfs holds 16 MiB; more than that is tried. */
static void full_file_system(void)
{
	static char chunk[64 * 1024];
	const long most = 64L << 20;
	int fd = open("/tmp/filler", O_CREAT | O_TRUNC | O_RDWR, 0644);
	long total = 0;
	ssize_t n = 0;
	for (int i = 0; total < most; i++) {
		memset(chunk, 'a' + i % 26, sizeof chunk);
		n = write(fd, chunk, sizeof chunk);
		if (n <= 0)
			break;
		total += n;
	}
	int err = errno;
	if (n >= 0 || err != ENOSPC || total < (8L << 20) || total >= most)
		report("fills_up_with_enospc", "wrote %ld bytes, last %zd (%s)", total, n, strerror(err));
	else
		report("fills_up_with_enospc", NULL);
	int intact = 1;
	for (long at = 0; at < total; at += sizeof chunk) {
		/* The last write may have been short. */
		long want = total - at < (long)sizeof chunk ? total - at : (long)sizeof chunk;
		char expected = 'a' + at / sizeof chunk % 26;
		if (pread(fd, chunk, sizeof chunk, at) != want || chunk[0] != expected || chunk[want - 1] != expected)
			intact = 0;
	}
	if (!intact)
		report("full_file_system_keeps_data", "a chunk read back wrong");
	else
		report("full_file_system_keeps_data", NULL);
	close(fd);
	unlink("/tmp/filler");
	fd = open("/tmp/after-full", O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0 || write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
		report("space_returns_after_unlink", "%s", strerror(errno));
	else
		report("space_returns_after_unlink", NULL);
	close(fd);
	unlink("/tmp/after-full");
}

/* 4 MiB of a file written through a shared mapping: truncating the file
 * gives the memory back even while the mapping stays, and a touch of the
 * mapping past the file's end is SIGBUS. */
#define MAPPED_FILE (4 << 20)
static void mapped_file_memory(void)
{
	struct sysinfo before, filled, after;
	int fd = open("/tmp/mapped-big", O_CREAT | O_TRUNC | O_RDWR, 0600);
	sysinfo(&before);
	char *p = fd < 0 || ftruncate(fd, MAPPED_FILE) != 0
			  ? MAP_FAILED
			  : mmap(NULL, MAPPED_FILE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		report("mapped_file_memory", "cannot map the file: errno %d", errno);
		return;
	}
	memset(p, 'm', MAPPED_FILE);
	sysinfo(&filled);
	ftruncate(fd, 0);
	sysinfo(&after);
	long used = (long)(before.freeram - filled.freeram), left = (long)(before.freeram - after.freeram);
	if (used < MAPPED_FILE || left > MAPPED_FILE / 8)
		report("mapped_file_memory", "filling took %ld bytes, %ld still taken after truncating", used, left);
	else
		report("mapped_file_memory", NULL);
	pid_t pid = fork();
	if (pid == 0) {
		p[100] = 1;
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGBUS)
		report("mapping_past_end_of_file_is_sigbus", "child status %#x", status);
	else
		report("mapping_past_end_of_file_is_sigbus", NULL);
	munmap(p, MAPPED_FILE);
	close(fd);
	unlink("/tmp/mapped-big");
}

int main(void)
{
	check_suite = "fork_stress";
	fork_cycles();
	process_limit();
	fork_bomb();
	out_of_memory();
	full_file_system();
	mapped_file_memory();
	return check_status();
}
