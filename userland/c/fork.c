/* fork and wait: two returns, copy-on-write memory, exit statuses, wait's
 * selection and errors, process groups and sessions, orphans adopted by a
 * child subreaper.
 *
 * Prints one "test: fork/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* User-half memory that no program region covers. */
#define UNMAPPED_HOLE ((void *)0x200000000000UL)

/* Written by each process of the tree with its own value. */
static volatile long own_value;
/* 64 pages of data that the children overwrite and the parent must not see
 * change. */
#define BIG_LEN (64 * 4096)
static unsigned char big[BIG_LEN];

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static int intact(const unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return 0;
	return 1;
}

/* Waits for `pid`; returns its status word, or -1 with errno. */
static int wait_for(pid_t pid)
{
	int status = 0;
	pid_t got = waitpid(pid, &status, 0);
	if (got != pid)
		return -1;
	return status;
}

static void two_returns(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* The child: its own pid, the parent as parent. */
		if (getpid() == parent || getppid() != parent || syscall(SYS_gettid) != getpid())
			_exit(1);
		_exit(42);
	}
	if (pid < 0) {
		report("two_returns", "fork failed with errno %d", errno);
		return;
	}
	int status = wait_for(pid);
	if (status < 0)
		report("two_returns", "waitpid failed with errno %d", errno);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 42)
		report("two_returns", "child ended with status %#x, expected exit 42", status);
	else if (pid == parent)
		report("two_returns", "the child got the parent's pid");
	else
		report("two_returns", NULL);
}

/* The child overwrites memory the parent filled (data, bss, heap, stack);
 * the parent's copy stays as it was, and the child sees its own writes. */
static void copy_on_write(void)
{
	unsigned char stack_buf[8192];
	unsigned char *heap = malloc(BIG_LEN);
	if (heap == NULL) {
		report("copy_on_write", "malloc failed");
		return;
	}
	fill(big, BIG_LEN, 1);
	fill(heap, BIG_LEN, 2);
	fill(stack_buf, sizeof stack_buf, 3);
	own_value = 7;
	pid_t pid = fork();
	if (pid == 0) {
		int ok = intact(big, BIG_LEN, 1) && intact(heap, BIG_LEN, 2) && intact(stack_buf, sizeof stack_buf, 3);
		fill(big, BIG_LEN, 9);
		fill(heap, BIG_LEN, 9);
		fill(stack_buf, sizeof stack_buf, 9);
		own_value = 8;
		ok = ok && intact(big, BIG_LEN, 9) && intact(heap, BIG_LEN, 9) && intact(stack_buf, sizeof stack_buf, 9);
		_exit(ok ? 0 : 1);
	}
	/* The parent writes too while the child lives: both sides copy. */
	big[0] = (unsigned char)(0 * 31 + 1);
	int status = wait_for(pid);
	if (status != 0)
		report("copy_on_write", "the child saw wrong memory (status %#x)", status);
	else if (!intact(big, BIG_LEN, 1) || !intact(heap, BIG_LEN, 2) || !intact(stack_buf, sizeof stack_buf, 3))
		report("copy_on_write", "the child's writes reached the parent");
	else if (own_value != 7)
		report("copy_on_write", "own_value is %ld in the parent", own_value);
	else
		report("copy_on_write", NULL);
	free(heap);
}

/* Three generations, two children each: every process writes its own value
 * and sees only its own, also after its children wrote theirs. Returns the
 * number of processes in the subtree that saw something wrong. */
static int generation(int level, long value)
{
	own_value = value;
	fill(big, 4096, (unsigned)value);
	int wrong = 0;
	if (level < 3) {
		pid_t kids[2];
		for (int i = 0; i < 2; i++) {
			kids[i] = fork();
			if (kids[i] == 0)
				_exit(generation(level + 1, value * 10 + i + 1));
			if (kids[i] < 0)
				wrong++;
		}
		for (int i = 0; i < 2; i++) {
			int status = kids[i] > 0 ? wait_for(kids[i]) : -1;
			if (status < 0 || !WIFEXITED(status))
				wrong++;
			else
				wrong += WEXITSTATUS(status);
		}
	}
	if (own_value != value || !intact(big, 4096, (unsigned)value))
		wrong++;
	return wrong;
}

static void three_generations(void)
{
	int wrong = generation(1, 1);
	if (wrong != 0)
		report("three_generations", "%d processes saw another's values or failed", wrong);
	else
		report("three_generations", NULL);
}

static void killed_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		*(volatile int *)UNMAPPED_HOLE = 1;
		_exit(0);
	}
	int status = wait_for(pid);
	if (status < 0 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		report("child_killed_by_sigsegv", "status %#x, expected SIGSEGV", status);
	else
		report("child_killed_by_sigsegv", NULL);
}

/* A child that calls mm0 many times before exiting, so that the parent's
 * WNOHANG wait right after fork finds it running. */
static pid_t busy_child(int code)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 2000; i++)
			getppid();
		_exit(code);
	}
	return pid;
}

static void wait_selection(void)
{
	long r = waitpid(-1, NULL, 0);
	expect_error("wait_without_children", r, errno, ECHILD);
	r = waitpid(getpid(), NULL, 0);
	expect_error("wait_for_non_child", r, errno, ECHILD);

	pid_t a = busy_child(5);
	int status = -1;
	r = waitpid(a, &status, WNOHANG);
	if (r != 0)
		report("wait_nohang_running", "returned %ld (errno %d), expected 0", r, errno);
	else
		report("wait_nohang_running", NULL);
	r = waitpid(a, &status, 0x4000);
	expect_error("wait_bad_options", r, errno, EINVAL);
	r = waitpid(a, UNMAPPED_HOLE, 0);
	expect_error("wait_bad_status_pointer", r, errno, EFAULT);
	struct rusage usage;
	memset(&usage, 0xff, sizeof usage);
	r = wait4(a, &status, 0, &usage);
	if (r != a || !WIFEXITED(status) || WEXITSTATUS(status) != 5)
		report("wait4_after_bad_pointer", "returned %ld, status %#x", r, status);
	else if (usage.ru_utime.tv_sec != 0 || usage.ru_maxrss != 0)
		report("wait4_after_bad_pointer", "rusage not filled");
	else
		report("wait4_after_bad_pointer", NULL);

	/* Any child: the one that ended. */
	pid_t b = busy_child(6), c = busy_child(7);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		r = wait(&status);
		if (r == b && WEXITSTATUS(status) == 6)
			seen |= 1;
		else if (r == c && WEXITSTATUS(status) == 7)
			seen |= 2;
	}
	if (seen != 3)
		report("wait_any_child", "found %#x of both children", seen);
	else
		report("wait_any_child", NULL);
}

static void waitid_calls(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(5);
	siginfo_t info;
	memset(&info, 0xff, sizeof info);
	int r = waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
	if (r != 0 || info.si_signo != SIGCHLD || info.si_code != CLD_EXITED || info.si_status != 5 || info.si_pid != pid)
		report("waitid_nowait", "returned %d: signo %d code %d status %d pid %d", r, info.si_signo, info.si_code,
		       info.si_status, (int)info.si_pid);
	else
		report("waitid_nowait", NULL);
	memset(&info, 0, sizeof info);
	r = waitid(P_ALL, 0, &info, WEXITED);
	long again = waitpid(pid, NULL, WNOHANG);
	int error = errno;
	if (r != 0 || info.si_pid != pid || again != -1 || error != ECHILD)
		report("waitid_collects", "returned %d, pid %d, then waitpid %ld errno %d", r, (int)info.si_pid, again,
		       error);
	else
		report("waitid_collects", NULL);

	pid_t busy = busy_child(0);
	memset(&info, 0xff, sizeof info);
	r = waitid(P_PID, busy, &info, WEXITED | WNOHANG);
	if (r != 0 || info.si_pid != 0)
		report("waitid_nohang_running", "returned %d, si_pid %d", r, (int)info.si_pid);
	else
		report("waitid_nohang_running", NULL);
	waitpid(busy, NULL, 0);

	EXPECT_ERROR("waitid_no_event", waitid(P_ALL, 0, &info, WNOHANG), EINVAL);
	EXPECT_ERROR("wait4_rejects_wexited", wait4(-1, NULL, WEXITED, NULL), EINVAL);
	EXPECT_ERROR("waitid_bad_idtype", waitid(17, 0, &info, WEXITED), EINVAL);
}

static void groups_and_sessions(void)
{
	pid_t me = getpid();
	/* Started from a boot module: leads its own session and group. */
	if (getpgrp() != me || getsid(0) != me || getpgid(0) != me)
		report("own_session", "pgrp %d, sid %d, pid %d", (int)getpgrp(), (int)getsid(0), (int)me);
	else
		report("own_session", NULL);
	long r = setsid();
	expect_error("setsid_as_group_leader", r, errno, EPERM);
	r = getpgid(999999);
	expect_error("getpgid_no_such_process", r, errno, ESRCH);

	pid_t pid = fork();
	if (pid == 0) {
		int ok = getpgrp() == me && getsid(0) == me;
		ok = ok && setpgid(0, 0) == 0 && getpgrp() == getpid();
		ok = ok && setpgid(0, 0) == 0;
		/* Now a group leader: setsid must fail; a grandchild may. */
		ok = ok && setsid() == -1 && errno == EPERM;
		pid_t g = fork();
		if (g == 0)
			_exit(setsid() == getpid() && getsid(0) == getpid() && getpgrp() == getpid() ? 0 : 1);
		int status = wait_for(g);
		_exit(ok && status == 0 ? 0 : 1);
	}
	int status = wait_for(pid);
	if (status != 0)
		report("child_groups_and_sessions", "the child's checks failed (status %#x)", status);
	else
		report("child_groups_and_sessions", NULL);
	r = setpgid(pid, 0);
	expect_error("setpgid_reaped_child", r, errno, ESRCH);
}

/* A subreaper adopts its orphaned grandchild: the grandchild sees it as
 * its parent and it collects the grandchild's status. */
static void subreaper(void)
{
	int on = -1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || prctl(PR_GET_CHILD_SUBREAPER, &on) != 0 || on != 1) {
		report("subreaper_setting", "%s, setting %d", strerror(errno), on);
		return;
	}
	report("subreaper_setting", NULL);
	pid_t self = getpid();
	int pipe_fds[2];
	pipe(pipe_fds);
	pid_t middle = fork();
	if (middle == 0) {
		pid_t grandchild = fork();
		if (grandchild == 0) {
			/* Wait (up to ~2 s) for the middle process to end. */
			for (int i = 0; i < 200 && getppid() != self; i++)
				usleep(10000);
			_exit(getppid() == self ? 42 : 1);
		}
		write(pipe_fds[1], &grandchild, sizeof grandchild);
		_exit(0);
	}
	pid_t grandchild = -1;
	read(pipe_fds[0], &grandchild, sizeof grandchild);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	int status = -1;
	waitpid(middle, &status, 0);
	int adopted = -1;
	pid_t got = waitpid(grandchild, &adopted, 0);
	if (got != grandchild || !WIFEXITED(adopted) || WEXITSTATUS(adopted) != 42)
		report("orphan_adopted_by_subreaper", "waitpid %d, status %#x", (int)got, adopted);
	else
		report("orphan_adopted_by_subreaper", NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	prctl(PR_GET_CHILD_SUBREAPER, &on);
	EXPECT_ERROR("prctl_unknown_option", prctl(12345, 0), EINVAL);
	if (on != 0)
		report("subreaper_cleared", "setting %d", on);
	else
		report("subreaper_cleared", NULL);
}

/* glibc's fork: clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD)
 * with the child's tid word; the child finds its pid there, the parent
 * its child's with CLONE_PARENT_SETTID. */
static void clone_as_glibc_forks(void)
{
	static volatile int child_tid, parent_tid;
	unsigned long flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID | SIGCHLD;
	long pid = syscall(SYS_clone, flags, 0L, &parent_tid, &child_tid, 0L);
	if (pid == 0)
		_exit(child_tid == getpid() ? 0 : 1);
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		report("clone_with_tid_flags", "clone %ld errno %d", pid, errno);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("clone_with_tid_flags", "the child's tid word was not its pid (status %#x)", status);
	else if (parent_tid != pid || child_tid != 0)
		report("clone_with_tid_flags", "parent's word %d child's %d, child %ld", parent_tid, child_tid, pid);
	else
		report("clone_with_tid_flags", NULL);
}

int main(void)
{
	check_suite = "fork";
	two_returns();
	copy_on_write();
	three_generations();
	killed_child();
	wait_selection();
	waitid_calls();
	groups_and_sessions();
	subreaper();
	clone_as_glibc_forks();
	return check_status();
}
