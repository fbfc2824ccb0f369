/* Signals: handlers with their frames, masks, pending sets, the alternate
 * stack, default actions, faults turned into SIGSEGV with the address,
 * interrupted calls (EINTR and SA_RESTART), SIGCHLD, stop and continue.
 *
 * Prints one "test: signal/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t hits;
static volatile int last_signal;
static volatile int last_code;
static volatile void *last_addr;
static volatile pid_t last_pid;
static volatile int last_status;

static void count(int sig)
{
	hits++;
	last_signal = sig;
}

static void with_info(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	hits++;
	last_signal = sig;
	last_code = info->si_code;
	last_addr = info->si_addr;
	last_pid = info->si_pid;
	last_status = info->si_status;
}

/* Installs `handler` for `sig` with `flags`; 0 on success. */
static int on(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int on_info(int sig, void (*handler)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void handlers(void)
{
	hits = 0;
	if (on(SIGUSR1, count, 0) != 0 || raise(SIGUSR1) != 0)
		report("raise_runs_handler", "sigaction or raise failed: errno %d", errno);
	else if (hits != 1 || last_signal != SIGUSR1)
		report("raise_runs_handler", "%d hits, last signal %d", (int)hits, (int)last_signal);
	else
		report("raise_runs_handler", NULL);

	hits = 0;
	on_info(SIGUSR2, with_info, 0);
	kill(getpid(), SIGUSR2);
	if (hits != 1 || last_signal != SIGUSR2 || last_code != SI_USER)
		report("kill_self_siginfo", "%d hits, signal %d, code %d", (int)hits, (int)last_signal, last_code);
	else
		report("kill_self_siginfo", NULL);

	struct sigaction old;
	if (sigaction(SIGUSR1, NULL, &old) != 0 || old.sa_handler != count)
		report("sigaction_reads_back", "old handler %p", (void *)old.sa_handler);
	else
		report("sigaction_reads_back", NULL);
}

static void masks(void)
{
	sigset_t block, pending, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	hits = 0;
	sigprocmask(SIG_BLOCK, &block, &old);
	kill(getpid(), SIGUSR1);
	int ran_while_blocked = hits;
	sigpending(&pending);
	int was_pending = sigismember(&pending, SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (ran_while_blocked != 0 || !was_pending)
		report("blocked_stays_pending", "ran %d times, pending %d", ran_while_blocked, was_pending);
	else if (hits != 1)
		report("blocked_stays_pending", "%d hits after unblocking", (int)hits);
	else
		report("blocked_stays_pending", NULL);

	/* SIGKILL cannot be blocked: the mask read back lacks it. */
	sigset_t all, now;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	sigprocmask(SIG_SETMASK, &old, &now);
	if (sigismember(&now, SIGKILL) || sigismember(&now, SIGSTOP) || !sigismember(&now, SIGUSR1))
		report("uncatchable_not_blocked", "mask read back wrong");
	else
		report("uncatchable_not_blocked", NULL);

	hits = 0;
	signal(SIGUSR2, SIG_IGN);
	kill(getpid(), SIGUSR2);
	if (hits != 0)
		report("ignored_signal", "a handler ran");
	else
		report("ignored_signal", NULL);
}

static void errors(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = count;
	EXPECT_ERROR("sigaction_sigkill", sigaction(SIGKILL, &sa, NULL), EINVAL);
	EXPECT_ERROR("kill_bad_signal", kill(getpid(), 65), EINVAL);
	EXPECT_ERROR("kill_no_process", kill(999999, 0), ESRCH);
	if (kill(getpid(), 0) != 0)
		report("kill_signal_zero", "errno %d", errno);
	else
		report("kill_signal_zero", NULL);
	long r = syscall(SYS_rt_sigprocmask, 7, &sa.sa_mask, NULL, 8);
	expect_error("sigprocmask_bad_how", r, errno, EINVAL);
	r = syscall(SYS_rt_sigaction, SIGUSR1, (void *)0x200000000000UL, NULL, 8);
	expect_error("sigaction_bad_pointer", r, errno, EFAULT);
}

/* Ends the child as by the default action of `sig`. */
static void default_actions(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		kill(getpid(), SIGTERM);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
		report("default_terminates", "status %#x", status);
	else
		report("default_terminates", NULL);

	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	sleep_ms(20);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		report("sigkill_ends_pause", "status %#x", status);
	else
		report("sigkill_ends_pause", NULL);

	pid = fork();
	if (pid == 0) {
		on(SIGUSR1, count, SA_RESETHAND);
		kill(getpid(), SIGUSR1);
		if (hits != 1)
			_exit(1);
		kill(getpid(), SIGUSR1);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGUSR1)
		report("sa_resethand", "status %#x", status);
	else
		report("sa_resethand", NULL);
}

static volatile int flag;
static void set_flag(int sig)
{
	(void)sig;
	/* Clobber SSE registers: the interrupted loop's must survive. */
	volatile double x = 3.25;
	x = x * x + 1.5;
	flag = (int)x > 0;
}

/* A child spinning in its own code (no system calls) runs its handler when
 * the parent signals it, and its floating-point state survives. */
static void interrupts_running_code(void)
{
	on(SIGUSR1, set_flag, 0);
	flag = 0;
	pid_t pid = fork();
	if (pid == 0) {
		/* Exact in binary floating point: any change is corruption. */
		volatile double seed = 2.0;
		double acc = 1.5, factor = seed;
		while (!flag) {
			acc = acc * factor;
			acc = acc / factor;
		}
		_exit(acc == 1.5 ? 0 : 3);
	}
	sleep_ms(30);
	kill(pid, SIGUSR1);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("interrupts_running_code", "child status %#x", status);
	else
		report("interrupts_running_code", NULL);
}

static unsigned char *fault_page;
static void fix_page(int sig, siginfo_t *info, void *uc)
{
	with_info(sig, info, uc);
	mprotect(fault_page, 4096, PROT_READ | PROT_WRITE);
}

/* A write to a read-only page: SIGSEGV with the address; the handler makes
 * the page writable and the write then succeeds. */
static void fault_handler(void)
{
	fault_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hits = 0;
	on_info(SIGSEGV, fix_page, 0);
	*(volatile unsigned char *)&fault_page[100] = 42;
	if (hits != 1 || last_signal != SIGSEGV || last_addr != fault_page + 100 || last_code != SEGV_ACCERR)
		report("sigsegv_si_addr", "%d hits, signal %d, addr %p (expected %p), code %d", (int)hits,
		       (int)last_signal, (void *)last_addr, (void *)(fault_page + 100), last_code);
	else if (fault_page[100] != 42)
		report("sigsegv_si_addr", "the retried write was lost");
	else
		report("sigsegv_si_addr", NULL);
	signal(SIGSEGV, SIG_DFL);
}

static void interrupted_calls(void)
{
	on(SIGUSR1, count, 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {5, 0}, rem = {0, 0};
		int r = nanosleep(&ts, &rem);
		_exit(r == -1 && errno == EINTR && rem.tv_sec < 5 && (rem.tv_sec > 0 || rem.tv_nsec > 0) ? 0 : 1);
	}
	sleep_ms(30);
	kill(pid, SIGUSR1);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("nanosleep_eintr", "child status %#x", status);
	else
		report("nanosleep_eintr", NULL);

	/* The parent's wait is interrupted by a signal its child sends. */
	for (int restart = 0; restart < 2; restart++) {
		on(SIGUSR2, count, restart ? SA_RESTART : 0);
		hits = 0;
		pid = fork();
		if (pid == 0) {
			sleep_ms(30);
			kill(getppid(), SIGUSR2);
			sleep_ms(30);
			_exit(9);
		}
		long r = waitpid(pid, &status, 0);
		int error = errno;
		if (!restart) {
			if (r != -1 || error != EINTR || hits != 1)
				report("wait_eintr", "returned %ld, errno %d, %d hits", r, error, (int)hits);
			else
				report("wait_eintr", NULL);
			r = waitpid(pid, &status, 0);
		} else if (r != pid || hits != 1) {
			report("wait_sa_restart", "returned %ld, errno %d, %d hits", r, error, (int)hits);
		} else {
			report("wait_sa_restart", NULL);
		}
		if (r != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 9)
			report(restart ? "wait_sa_restart_status" : "wait_eintr_status", "status %#x", status);
	}
}

/* A read from an empty pipe and a write to a full one are interrupted by
 * a signal: EINTR without SA_RESTART; with it, the read starts again and
 * gets the bytes that come later. */
static void interrupted_pipe_calls(void)
{
	for (int restart = 0; restart < 2; restart++) {
		on(SIGUSR2, count, restart ? SA_RESTART : 0);
		hits = 0;
		int p[2];
		pipe(p);
		pid_t parent = getpid();
		pid_t pid = fork();
		if (pid == 0) {
			sleep_ms(30);
			kill(parent, SIGUSR2);
			sleep_ms(60);
			write(p[1], "late", 4);
			_exit(0);
		}
		char buf[8] = {0};
		long r = read(p[0], buf, sizeof buf);
		int error = errno;
		const char *name = restart ? "pipe_read_sa_restart" : "pipe_read_eintr";
		if (!restart && (r != -1 || error != EINTR || hits != 1))
			report(name, "returned %ld, errno %d, %d hits", r, error, (int)hits);
		else if (restart && (r != 4 || memcmp(buf, "late", 4) != 0 || hits != 1))
			report(name, "returned %ld, errno %d, %d hits", r, error, (int)hits);
		else
			report(name, NULL);
		int status;
		waitpid(pid, &status, 0);
		close(p[0]);
		close(p[1]);
	}

	on(SIGUSR2, count, 0);
	hits = 0;
	int p[2];
	pipe(p);
	static char fill[65536];
	/* Fill the pipe; the next write must wait for room. */
	long filled = write(p[1], fill, sizeof fill);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		sleep_ms(30);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	long r = write(p[1], fill, 4096);
	int error = errno;
	if (filled != (long)sizeof fill || r != -1 || error != EINTR || hits != 1)
		report("pipe_write_eintr", "filled %ld, returned %ld, errno %d, %d hits", filled, r, error, (int)hits);
	else
		report("pipe_write_eintr", NULL);
	int status;
	waitpid(pid, &status, 0);
	close(p[0]);
	close(p[1]);
}

static volatile int chld;
static void on_chld(int sig)
{
	(void)sig;
	chld++;
}

static void sigchld(void)
{
	chld = 0;
	on(SIGCHLD, on_chld, SA_RESTART);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int status;
	waitpid(pid, &status, 0);
	if (chld != 1)
		report("sigchld_on_exit", "handler ran %d times", (int)chld);
	else
		report("sigchld_on_exit", NULL);
	signal(SIGCHLD, SIG_DFL);
}

/* siginfo says who sent a signal, and for SIGCHLD what the child did;
 * SA_NOCLDSTOP keeps a child's stop and continue quiet. */
static void signal_origins(void)
{
	on_info(SIGUSR1, with_info, 0);
	last_pid = 0;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		kill(parent, SIGUSR1);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	for (int i = 0; i < 100 && last_pid == 0; i++)
		sleep_ms(1);
	if (last_pid != pid || last_code != SI_USER)
		report("siginfo_sender_pid", "si_pid %d (child %d), si_code %d", (int)last_pid, (int)pid, last_code);
	else
		report("siginfo_sender_pid", NULL);

	for (int quiet = 0; quiet < 2; quiet++) {
		on_info(SIGCHLD, with_info, SA_RESTART | (quiet ? SA_NOCLDSTOP : 0));
		hits = 0;
		last_code = 0;
		pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		kill(pid, SIGSTOP);
		waitpid(pid, &status, WUNTRACED);
		for (int i = 0; i < 50 && hits == 0; i++)
			sleep_ms(1);
		int stop_hits = hits, stop_code = last_code;
		kill(pid, SIGCONT);
		waitpid(pid, &status, WCONTINUED);
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		for (int i = 0; i < 100 && last_code != CLD_KILLED; i++)
			sleep_ms(1);
		const char *name = quiet ? "sa_nocldstop" : "sigchld_on_stop";
		if (quiet && (stop_hits != 0 || last_code != CLD_KILLED || last_status != SIGTERM))
			report(name, "%d signals at the stop, last code %d status %d", stop_hits, last_code, last_status);
		else if (!quiet && (stop_hits != 1 || stop_code != CLD_STOPPED))
			report(name, "%d signals at the stop, code %d", stop_hits, stop_code);
		else
			report(name, NULL);
	}

	on_info(SIGCHLD, with_info, SA_RESTART);
	last_code = 0;
	pid = fork();
	if (pid == 0)
		_exit(7);
	waitpid(pid, &status, 0);
	for (int i = 0; i < 100 && last_code == 0; i++)
		sleep_ms(1);
	if (last_pid != pid || last_code != CLD_EXITED || last_status != 7)
		report("sigchld_siginfo", "si_pid %d (child %d), code %d, status %d", (int)last_pid, (int)pid, last_code,
		       last_status);
	else
		report("sigchld_siginfo", NULL);
	signal(SIGCHLD, SIG_DFL);
}

/* A handler that uses AVX must not change the AVX registers of the code
 * it interrupted: the frame saves and restores them (xsave). */
static void clobber_ymm3(int sig)
{
	(void)sig;
	__asm__ volatile("vpcmpeqb %%ymm3, %%ymm3, %%ymm3" ::: "xmm3");
}

static void avx_state(void)
{
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 28)) || !(c & (1u << 27))) {
		report("avx_registers_survive_a_handler", NULL);
		return;
	}
	static unsigned char in[32] __attribute__((aligned(32))), out[32] __attribute__((aligned(32)));
	for (int i = 0; i < 32; i++)
		in[i] = (unsigned char)(i * 5 + 1);
	on(SIGUSR1, clobber_ymm3, 0);
	long pid = getpid();
	/* The kill happens inside the asm, so the compiler has no chance to
	 * use ymm3 between the load and the store. */
	__asm__ volatile("vmovdqu (%[in]), %%ymm3\n\t"
			 "mov $62, %%eax\n\t"
			 "mov %[pid], %%rdi\n\t"
			 "mov $10, %%esi\n\t"
			 "syscall\n\t"
			 "vmovdqu %%ymm3, (%[out])\n\t"
			 :
			 : [in] "r"(in), [out] "r"(out), [pid] "r"(pid)
			 : "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm3");
	if (memcmp(in, out, 32) != 0)
		report("avx_registers_survive_a_handler", "ymm3 changed: byte 16 is %#x, was %#x", out[16], in[16]);
	else
		report("avx_registers_survive_a_handler", NULL);
	signal(SIGUSR1, SIG_DFL);
}

static char alt_stack[16384] __attribute__((aligned(16)));
static volatile int on_alt;
static void check_stack(int sig)
{
	char here;
	(void)sig;
	on_alt = &here >= alt_stack && &here < alt_stack + sizeof alt_stack;
}

static void alternate_stack(void)
{
	stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0}, old;
	if (sigaltstack(&ss, NULL) != 0) {
		report("sigaltstack", "failed with errno %d", errno);
		return;
	}
	on(SIGUSR1, check_stack, SA_ONSTACK);
	on_alt = 0;
	raise(SIGUSR1);
	sigaltstack(NULL, &old);
	if (!on_alt)
		report("sigaltstack", "the handler ran on the normal stack");
	else if (old.ss_sp != alt_stack || old.ss_size != sizeof alt_stack || old.ss_flags != 0)
		report("sigaltstack", "read back %p %zu %d", old.ss_sp, old.ss_size, old.ss_flags);
	else
		report("sigaltstack", NULL);
	stack_t small = {.ss_sp = alt_stack, .ss_size = 100, .ss_flags = 0};
	EXPECT_ERROR("sigaltstack_too_small", sigaltstack(&small, NULL), ENOMEM);
	stack_t off = {.ss_flags = SS_DISABLE};
	sigaltstack(&off, NULL);
}

/* A stop and continue do not disturb calls in progress: a sleep finishes
 * normally, and a process that stops itself sees raise() succeed. */
static void stop_during_calls(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 200 * 1000000};
		int r = nanosleep(&ts, NULL);
		_exit(r == 0 ? 0 : 1);
	}
	sleep_ms(30);
	kill(pid, SIGSTOP);
	int status;
	waitpid(pid, &status, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("sleep_survives_stop", "status %#x", status);
	else
		report("sleep_survives_stop", NULL);

	pid = fork();
	if (pid == 0)
		_exit(raise(SIGSTOP) == 0 ? 0 : 1);
	pid_t r = waitpid(pid, &status, WUNTRACED);
	int stopped = r == pid && WIFSTOPPED(status);
	kill(pid, SIGCONT);
	waitpid(pid, &status, 0);
	if (!stopped || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("raise_sigstop", "stopped %d, then status %#x", stopped, status);
	else
		report("raise_sigstop", NULL);
}

/* A blocked signal whose default is to terminate waits for its unblocking. */
static void blocked_default(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t term, pending;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, NULL);
		kill(getpid(), SIGTERM);
		sigpending(&pending);
		if (!sigismember(&pending, SIGTERM))
			_exit(1);
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		_exit(2);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
		report("blocked_default_waits_for_unblock", "status %#x", status);
	else
		report("blocked_default_waits_for_unblock", NULL);
}

/* A blocked signal is never ignored (Linux): sent while ignored and
 * blocked, it stays pending and acts by the disposition it has when
 * unblocked, as a shell's child that resets the shell's ignored signals
 * before unblocking them relies on. Ignoring it again drops it. */
static void blocked_ignored(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t term, pending;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		signal(SIGTERM, SIG_IGN);
		sigprocmask(SIG_BLOCK, &term, NULL);
		kill(getpid(), SIGTERM);
		sigpending(&pending);
		if (!sigismember(&pending, SIGTERM))
			_exit(1);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		_exit(2);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
		report("blocked_ignored_stays_pending", "status %#x", status);
	else
		report("blocked_ignored_stays_pending", NULL);

	pid = fork();
	if (pid == 0) {
		sigset_t term, pending;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, NULL);
		kill(getpid(), SIGTERM);
		signal(SIGTERM, SIG_IGN);
		sigpending(&pending);
		if (sigismember(&pending, SIGTERM))
			_exit(1);
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 2)
		report("ignoring_drops_pending", "status %#x", status);
	else
		report("ignoring_drops_pending", NULL);
}

/* SIGCONT discards pending stop signals, and a stop signal a pending
 * SIGCONT (POSIX): a child that blocks signals while both are sent (a
 * shell's child between fork and setting its dispositions) is not
 * stopped after it was continued. */
static void continue_discards_stop(void)
{
	int ready[2], go[2];
	pipe(ready);
	pipe(go);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t all, pending;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		char c;
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		sigpending(&pending);
		if (sigismember(&pending, SIGTSTP) || !sigismember(&pending, SIGCONT))
			_exit(1);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		sigpending(&pending);
		if (!sigismember(&pending, SIGTSTP) || sigismember(&pending, SIGCONT))
			_exit(2);
		signal(SIGTSTP, SIG_IGN);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		_exit(0);
	}
	/* A child that fails early ends the parent's reads with end of file. */
	close(ready[1]);
	close(go[0]);
	char c;
	read(ready[0], &c, 1);
	kill(pid, SIGTSTP);
	kill(pid, SIGCONT);
	write(go[1], "g", 1);
	read(ready[0], &c, 1);
	kill(pid, SIGTSTP);
	write(go[1], "g", 1);
	int status;
	waitpid(pid, &status, WUNTRACED);
	if (WIFSTOPPED(status))
		kill(pid, SIGKILL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("continue_discards_pending_stop", "status %#x", status);
	else
		report("continue_discards_pending_stop", NULL);
	close(ready[0]);
	close(go[1]);
}

static void stop_and_continue(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	int status = 0;
	kill(pid, SIGSTOP);
	pid_t r = waitpid(pid, &status, WUNTRACED);
	if (r != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		report("stop_reported", "returned %d, status %#x", (int)r, status);
	else
		report("stop_reported", NULL);
	kill(pid, SIGCONT);
	r = waitpid(pid, &status, WCONTINUED);
	if (r != pid || !WIFCONTINUED(status))
		report("continue_reported", "returned %d, status %#x", (int)r, status);
	else
		report("continue_reported", NULL);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
		report("terminate_after_continue", "status %#x", status);
	else
		report("terminate_after_continue", NULL);
}

static volatile int alarms;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void timers(void)
{
	on(SIGALRM, on_alarm, 0);
	alarms = 0;
	struct itimerval every = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}}, now;
	setitimer(ITIMER_REAL, &every, NULL);
	while (alarms < 3)
		pause();
	getitimer(ITIMER_REAL, &now);
	setitimer(ITIMER_REAL, &off, NULL);
	if (now.it_interval.tv_usec != 20000 || now.it_value.tv_sec != 0 || now.it_value.tv_usec > 20000)
		report("setitimer_interval", "read back interval %ld us, value %ld us", (long)now.it_interval.tv_usec,
		       (long)now.it_value.tv_usec);
	else
		report("setitimer_interval", NULL);

	alarm(100);
	unsigned left = alarm(0);
	if (left != 100)
		report("alarm_cancel_returns_remaining", "alarm(0) returned %u", left);
	else
		report("alarm_cancel_returns_remaining", NULL);

	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		for (;;)
			pause();
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGALRM)
		report("alarm_default_terminates", "status %#x", status);
	else
		report("alarm_default_terminates", NULL);
	struct itimerval bad = {{0, 0}, {0, 2000000}};
	EXPECT_ERROR("setitimer_bad_usec", setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
	signal(SIGALRM, SIG_DFL);
}

int main(void)
{
	check_suite = "signal";
	handlers();
	masks();
	errors();
	default_actions();
	interrupts_running_code();
	fault_handler();
	interrupted_calls();
	interrupted_pipe_calls();
	sigchld();
	signal_origins();
	avx_state();
	alternate_stack();
	stop_and_continue();
	stop_during_calls();
	blocked_default();
	blocked_ignored();
	continue_discards_stop();
	timers();
	return check_status();
}
