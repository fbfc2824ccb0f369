/* The basic POSIX calls a static musl program makes, each checked against
 * what Linux answers, bad pointers included: a bad pointer must come back as
 * EFAULT with the process alive, never as a crash.
 *
 * Prints one "test: posix/<name> ... ok" or "... FAILED <reason>" line per
 * check, each with a single write(2) so that no other output lands inside
 * it, and exits with 0 when every check passed, 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

/* arch_prctl code (asm/prctl.h is not among musl's headers). */
#define ARCH_GET_FS 0x1003

/* The start of the kernel half of the address space. */
#define KERNEL_ADDRESS ((void *)0xffff800000000000UL)
/* User-half memory that no program region covers. */
#define UNMAPPED_HOLE ((void *)0x200000000000UL)
/* A descriptor that is not open. */
#define BAD_FD 42
/* A call libposix does not implement (and has no reason to soon). */
#define UNIMPLEMENTED_CALL SYS_acct

/* Never written, so its pages are not backed until something needs them. */
static char untouched_bss[12 * 1024];
/* Two pages of which the program touches only the first. */
static char half_touched_bss[2 * 4096] __attribute__((aligned(4096)));

static void check_write_errors(void)
{
	long r;

	r = write(BAD_FD, "x", 1);
	expect_error("write_bad_fd", r, errno, EBADF);
	r = write(1, NULL, 5);
	expect_error("write_null", r, errno, EFAULT);
	r = write(1, KERNEL_ADDRESS, 5);
	expect_error("write_kernel_address", r, errno, EFAULT);
	r = write(1, UNMAPPED_HOLE, 5);
	expect_error("write_unmapped_hole", r, errno, EFAULT);
}

static void check_write_sizes(void)
{
	long r = write(1, "", 0);
	if (r != 0)
		report("write_zero_bytes", "returned %ld", r);
	else
		report("write_zero_bytes", NULL);

	/* 12 KiB of zero bytes the program never touched: the pages are backed
	 * only when the write needs them. The newline ends the line of NULs. */
	r = write(1, untouched_bss, sizeof untouched_bss);
	int error = errno;
	write(1, "\n", 1);
	if (r != (long)sizeof untouched_bss)
		report("write_untouched_bss", "returned %ld (errno %d), expected %zu", r, error, sizeof untouched_bss);
	else
		report("write_untouched_bss", NULL);

	/* The first page is backed, the second not: the write must not stop
	 * (or repeat itself) at the boundary. */
	half_touched_bss[0] = '\n';
	r = write(1, half_touched_bss, sizeof half_touched_bss);
	error = errno;
	write(1, "\n", 1);
	if (r != (long)sizeof half_touched_bss)
		report("write_half_touched_bss", "returned %ld (errno %d), expected %zu", r, error, sizeof half_touched_bss);
	else
		report("write_half_touched_bss", NULL);
}

static void check_writev(void)
{
	/* With no iovecs, Linux does not look at the array pointer. */
	long r = writev(1, NULL, 0);
	if (r != 0)
		report("writev_no_iovecs", "returned %ld (errno %d)", r, errno);
	else
		report("writev_no_iovecs", NULL);
	struct iovec empty = { .iov_base = "unused", .iov_len = 0 };
	r = writev(1, &empty, 1);
	if (r != 0)
		report("writev_empty_iovec", "returned %ld (errno %d)", r, errno);
	else
		report("writev_empty_iovec", NULL);

	r = writev(1, UNMAPPED_HOLE, 2);
	expect_error("writev_bad_iovec_pointer", r, errno, EFAULT);
	struct iovec hole = { .iov_base = UNMAPPED_HOLE, .iov_len = 4 };
	r = writev(1, &hole, 1);
	expect_error("writev_bad_buffer", r, errno, EFAULT);
}

static void check_ioctl(void)
{
	struct winsize size = { 0 };
	if (ioctl(1, TIOCGWINSZ, &size) != 0)
		report("ioctl_winsize", "failed with errno %d", errno);
	else if (size.ws_row == 0 || size.ws_col == 0)
		report("ioctl_winsize", "%u rows, %u columns", size.ws_row, size.ws_col);
	else
		report("ioctl_winsize", NULL);

	long r = ioctl(1, 0x7fff, &size);
	expect_error("ioctl_unknown_request", r, errno, ENOTTY);
	r = ioctl(BAD_FD, TIOCGWINSZ, &size);
	expect_error("ioctl_bad_fd", r, errno, EBADF);
	r = ioctl(1, TIOCGWINSZ, UNMAPPED_HOLE);
	expect_error("ioctl_unmapped_hole", r, errno, EFAULT);
	/* A string literal lies in read-only memory. */
	r = ioctl(1, TIOCGWINSZ, (void *)"read-only");
	expect_error("ioctl_read_only_buffer", r, errno, EFAULT);
}

static void check_unimplemented(void)
{
	/* libposix logs an unimplemented call once per process, however often it
	 * comes: the test scenario checks the log line appears exactly once. */
	for (int i = 1; i <= 2; i++) {
		char name[32];
		snprintf(name, sizeof name, "unimplemented_call_%d", i);
		long r = syscall(UNIMPLEMENTED_CALL, 0);
		expect_error(name, r, errno, ENOSYS);
	}
}

static void check_mmap(void)
{
	const size_t len = 3 * 4096;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		report("mmap_anonymous", "mmap failed with errno %d", errno);
		return;
	}
	size_t bad = len;
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			bad = i;
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < len && bad == len; i++)
		if (p[i] != (unsigned char)(i * 7))
			bad = i;
	int unmapped = munmap(p, len);
	if (bad != len)
		report("mmap_anonymous", "byte %zu is wrong", bad);
	else if (unmapped != 0)
		report("mmap_anonymous", "munmap failed with errno %d", errno);
	else
		report("mmap_anonymous", NULL);
}

/* musl's sbrk refuses any increment other than 0 (brk would fight its
 * malloc), so the break is read with sbrk(0) and moved with the brk call
 * itself. */
static void check_brk(void)
{
	const long grow = 3 * 4096;
	char *start = sbrk(0);
	if (start == (void *)-1) {
		report("brk_grow", "sbrk(0) failed with errno %d", errno);
		return;
	}
	char *end = (char *)syscall(SYS_brk, start + grow);
	if (end != start + grow) {
		report("brk_grow", "the break is %p after asking for %p", (void *)end, (void *)(start + grow));
		return;
	}
	for (long i = 0; i < grow; i++)
		start[i] = (char)i;
	long bad = grow;
	for (long i = 0; i < grow && bad == grow; i++)
		if (start[i] != (char)i)
			bad = i;
	char *back = (char *)syscall(SYS_brk, start);
	if (bad != grow)
		report("brk_grow", "byte %ld is wrong", bad);
	else if (back != start || sbrk(0) != start)
		report("brk_grow", "shrinking left the break at %p, not %p", (void *)back, (void *)start);
	else
		report("brk_grow", NULL);
}

static void check_identity(void)
{
	pid_t pid = getpid();
	long tid = syscall(SYS_gettid);
	if (pid <= 0)
		report("getpid", "getpid() = %d", (int)pid);
	else if (tid != pid)
		report("getpid", "gettid() = %ld, getpid() = %d", tid, (int)pid);
	else if (getpid() != pid)
		report("getpid", "getpid() changed between calls");
	else
		report("getpid", NULL);
}

static void check_thread_pointer(void)
{
	unsigned long fs = 0;
	void *tp = __builtin_thread_pointer();
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) != 0)
		report("arch_prctl_get_fs", "failed with errno %d", errno);
	else if (fs != (unsigned long)tp)
		report("arch_prctl_get_fs", "FS base %#lx, thread pointer %p", fs, tp);
	else
		report("arch_prctl_get_fs", NULL);
	long r = syscall(SYS_arch_prctl, ARCH_GET_FS, UNMAPPED_HOLE);
	expect_error("arch_prctl_get_fs_bad_pointer", r, errno, EFAULT);
}

static void check_credentials(void)
{
	uid_t r = 1, e = 1, s = 1;
	if (getuid() != 0 || geteuid() != 0 || getgid() != 0 || getegid() != 0)
		report("credentials", "ids %d %d %d %d, expected root", (int)getuid(), (int)geteuid(), (int)getgid(),
		       (int)getegid());
	else if (getresuid(&r, &e, &s) != 0 || r != 0 || e != 0 || s != 0)
		report("credentials", "getresuid gave %d %d %d", (int)r, (int)e, (int)s);
	else
		report("credentials", NULL);
	long rc = syscall(SYS_getresgid, &r, UNMAPPED_HOLE, &s);
	expect_error("getresgid_bad_pointer", rc, errno, EFAULT);
	gid_t groups[4] = {7, 7, 7, 7};
	int n = getgroups(4, groups);
	if (n != 0 || groups[0] != 7 || getgroups(0, NULL) != 0)
		report("getgroups_none", "returned %d, first word %d", n, (int)groups[0]);
	else
		report("getgroups_none", NULL);
	rc = syscall(SYS_getgroups, -1, groups);
	expect_error("getgroups_negative_size", rc, errno, EINVAL);
}

static void check_uname(void)
{
	struct utsname u;
	memset(&u, 0xff, sizeof u);
	if (uname(&u) != 0)
		report("uname", "failed with errno %d", errno);
	else if (strcmp(u.sysname, "Tern") != 0 || strcmp(u.machine, "x86_64") != 0 || u.release[0] == 0)
		report("uname", "sysname '%.65s' machine '%.65s'", u.sysname, u.machine);
	else
		report("uname", NULL);
	long rc = syscall(SYS_uname, KERNEL_ADDRESS);
	expect_error("uname_bad_pointer", rc, errno, EFAULT);
}

static void check_getrandom(void)
{
	/* Two draws of 64 bytes: all-zero or equal draws mean no randomness. */
	unsigned char a[64] = {0}, b[64] = {0}, zero[64] = {0};
	long na = getrandom(a, sizeof a, 0), nb = getrandom(b, sizeof b, GRND_NONBLOCK);
	if (na != 64 || nb != 64)
		report("getrandom", "returned %ld and %ld", na, nb);
	else if (memcmp(a, zero, 64) == 0 || memcmp(a, b, 64) == 0)
		report("getrandom", "two draws are zero or equal");
	else
		report("getrandom", NULL);
	/* Pages never touched must be backed for the call, not refused. */
	static char random_bss[3 * 4096];
	long big = getrandom(random_bss, sizeof random_bss, 0);
	if (big != (long)sizeof random_bss)
		report("getrandom_untouched_memory", "returned %ld", big);
	else
		report("getrandom_untouched_memory", NULL);
	long rc = getrandom(UNMAPPED_HOLE, 16, 0);
	expect_error("getrandom_bad_pointer", rc, errno, EFAULT);
	rc = getrandom(a, sizeof a, 0x100);
	expect_error("getrandom_bad_flags", rc, errno, EINVAL);
}

static void check_limits(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_STACK, &r) != 0 || r.rlim_cur != 8 << 20)
		report("getrlimit_stack", "errno %d, soft %lu", errno, (unsigned long)r.rlim_cur);
	else
		report("getrlimit_stack", NULL);
	struct rlimit set = {100, 200}, back;
	if (setrlimit(RLIMIT_NOFILE, &set) != 0 || getrlimit(RLIMIT_NOFILE, &back) != 0 || back.rlim_cur != 100 ||
	    back.rlim_max != 200)
		report("setrlimit_reads_back", "errno %d, read %lu/%lu", errno, (unsigned long)back.rlim_cur,
		       (unsigned long)back.rlim_max);
	else
		report("setrlimit_reads_back", NULL);
	struct rlimit inverted = {300, 200};
	EXPECT_ERROR("setrlimit_soft_above_hard", setrlimit(RLIMIT_NOFILE, &inverted), EINVAL);
	EXPECT_ERROR("getrlimit_bad_resource", getrlimit(99, &r), EINVAL);
	EXPECT_ERROR("prlimit_other_process", prlimit(1, RLIMIT_NOFILE, NULL, &r), EPERM);
}

/* One CPU, one policy: the affinity is CPU 0, and nproc says 1. */
static void check_scheduler(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	int ok = sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set);
	ok = ok && sysconf(_SC_NPROCESSORS_ONLN) == 1 && sched_getcpu() == 0;
	/* musl's sched_getscheduler is ENOSYS by design: ask the kernel side. */
	ok = ok && syscall(SYS_sched_getscheduler, 0) == SCHED_OTHER && sched_get_priority_max(SCHED_OTHER) == 0;
	if (!ok)
		report("one_cpu", "%s", strerror(errno));
	else
		report("one_cpu", NULL);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0)
		report("affinity_to_cpu0", "%s", strerror(errno));
	else
		report("affinity_to_cpu0", NULL);
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	EXPECT_ERROR("affinity_without_cpu0", sched_setaffinity(0, sizeof set, &set), EINVAL);
	EXPECT_ERROR("affinity_of_missing_process", sched_getaffinity(99999, sizeof set, &set), ESRCH);
	EXPECT_ERROR("affinity_bad_pointer", sched_getaffinity(0, sizeof set, UNMAPPED_HOLE), EFAULT);
}

int main(void)
{
	check_suite = "posix";
	check_write_errors();
	check_write_sizes();
	check_writev();
	check_ioctl();
	check_unimplemented();
	check_mmap();
	check_brk();
	check_identity();
	check_thread_pointer();
	check_credentials();
	check_uname();
	check_getrandom();
	check_limits();
	check_scheduler();
	return check_status();
}
