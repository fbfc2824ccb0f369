/* Console input: lines typed at the terminal, as a program reading its
 * standard input in canonical mode gets them. First, before anything is
 * typed, raw reads with VMIN 0 end after VTIME (or at once). The test
 * harness types
 *   "first line\nsecond\neditzz<DEL><DEL>ed\rjunk^Ukept\n^D"
 * once this program says "console: ready" (scenario `console`): whole
 * lines come one per read, a short buffer takes a line in parts, erase and
 * kill edit the line, a carriage return ends it too, ^D at the start of a
 * line is the end of file, and poll says when input is there. Then, in
 * raw mode (after "console: raw"), "xy" comes byte by byte without a
 * newline; and with this process the console's foreground group (after
 * "console: interrupt me"), ^C is SIGINT for it. Last, job control:
 * children in background process groups that read the console stop with
 * SIGTTIN (EIO when they ignore it or their group is orphaned), and with
 * TOSTOP set, writing (or changing the settings at any time) stops them
 * with SIGTTOU unless they ignore it.
 *
 * Scenario `keyboard` types the same at the PS/2 keyboard, and reads the
 * VGA screen while this program waits in raw mode after "console: raw".
 *
 * Prints one "test: console/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* Reads once from standard input into `buf` (NUL-terminated); the count. */
static long read_once(char *buf, size_t size)
{
	long n = read(0, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* One read of the typed lines, judged once all of them were read: their
 * echo reaches the console as they arrive, so a report printed between
 * two reads could land inside an echoed line, where the harness does not
 * see it. */
struct typed_read {
	const char *name;
	size_t size;
	const char *want;
	char got[256];
	long n;
};

static void read_typed(struct typed_read *r)
{
	r->n = read_once(r->got, r->size + 1);
}

static void report_typed(const struct typed_read *r)
{
	if (r->n != (long)strlen(r->want) || strcmp(r->got, r->want) != 0)
		report(r->name, "read %ld bytes \"%s\", expected \"%s\"", r->n, r->got, r->want);
	else
		report(r->name, NULL);
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void say(const char *line)
{
	write(1, line, strlen(line));
}

/* Raw mode: bytes one at a time, no newline needed, no echo. */
static void raw_mode(void)
{
	struct termios cooked, raw;
	if (tcgetattr(0, &cooked) != 0 || !(cooked.c_lflag & ICANON) || !(cooked.c_lflag & ECHO)) {
		report("tcgetattr_cooked", "%s, lflag %#o", strerror(errno), cooked.c_lflag);
		return;
	}
	report("tcgetattr_cooked", NULL);
	raw = cooked;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	struct termios now;
	if (tcsetattr(0, TCSANOW, &raw) != 0 || tcgetattr(0, &now) != 0 || (now.c_lflag & ICANON))
		report("tcsetattr_raw", "%s", strerror(errno));
	else
		report("tcsetattr_raw", NULL);
	say("console: raw\n");
	char c[2] = {0, 0};
	long first = read(0, &c[0], 1), second = read(0, &c[1], 1);
	if (first != 1 || second != 1 || c[0] != 'x' || c[1] != 'y')
		report("raw_bytes_one_at_a_time", "read %ld and %ld: %c%c", first, second, c[0], c[1]);
	else
		report("raw_bytes_one_at_a_time", NULL);
	tcsetattr(0, TCSANOW, &cooked);
}

/* Raw reads that time out (VMIN 0, VTIME) before anything is typed. */
static void timed_raw_reads(void)
{
	struct termios cooked, raw;
	tcgetattr(0, &cooked);
	raw = cooked;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 3;
	tcsetattr(0, TCSANOW, &raw);
	char c;
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long n = read(0, &c, 1);
	clock_gettime(CLOCK_MONOTONIC, &end);
	long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
	if (n != 0 || ms < 250 || ms > 3000)
		report("vtime_ends_an_empty_read", "read %ld after %ld ms, expected 0 after 300 ms", n, ms);
	else
		report("vtime_ends_an_empty_read", NULL);
	raw.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &raw);
	clock_gettime(CLOCK_MONOTONIC, &start);
	n = read(0, &c, 1);
	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
	if (n != 0 || ms > 200)
		report("vmin_0_vtime_0_returns_at_once", "read %ld after %ld ms", n, ms);
	else
		report("vmin_0_vtime_0_returns_at_once", NULL);
	tcsetattr(0, TCSANOW, &cooked);
}

/* ^C is SIGINT for the console's foreground process group. */
static void interrupt_key(void)
{
	signal(SIGINT, on_interrupt);
	setpgid(0, 0);
	if (tcsetpgrp(0, getpgrp()) != 0 || tcgetpgrp(0) != getpgrp())
		report("tcsetpgrp", "%s", strerror(errno));
	else
		report("tcsetpgrp", NULL);
	say("console: interrupt me\n");
	for (int i = 0; i < 2000 && !interrupted; i++)
		usleep(10000);
	/* The echo "^C" leaves the cursor after it: the report starts a line
	 * of its own, where the harness finds it. */
	say("\n");
	if (!interrupted)
		report("ctrl_c_is_sigint", "no SIGINT within 20 s");
	else
		report("ctrl_c_is_sigint", NULL);
	int pipe_fds[2];
	pipe(pipe_fds);
	EXPECT_ERROR("tcgetattr_of_a_pipe", tcgetattr(pipe_fds[0], &(struct termios){0}), ENOTTY);
	EXPECT_ERROR("tcsetpgrp_missing_group", tcsetpgrp(0, 99999), EPERM);
}

/* Forks a child in a process group of its own (a background job: this
 * process keeps the console's foreground group) with SIGTTOU's default
 * action, that runs `job` and exits with what it returns; its pid. */
static pid_t background(int (*job)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		_exit(job());
	}
	setpgid(pid, pid);
	return pid;
}

/* Waits for `pid` to end or stop: its wait status. */
static int wait_for(pid_t pid)
{
	int status = -1;
	while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR)
		;
	return status;
}

/* Checks that a background job `job` stops with `sig`, then ends it. */
static void expect_stop(const char *name, int (*job)(void), int sig)
{
	pid_t pid = background(job);
	int status = wait_for(pid);
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != sig)
		report(name, "wait status %#x, expected a stop by signal %d", status, sig);
	else
		report(name, NULL);
	kill(pid, SIGKILL);
	wait_for(pid);
}

/* Checks that a background job `job` exits with 0 (it checks itself). */
static void expect_exit_0(const char *name, int (*job)(void))
{
	int status = wait_for(background(job));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report(name, "wait status %#x", status);
	else
		report(name, NULL);
}

static int read_once_in_background(void)
{
	char c;
	return read(0, &c, 1);
}

static int read_ignoring_sigttin(void)
{
	char c;
	signal(SIGTTIN, SIG_IGN);
	return !(read(0, &c, 1) < 0 && errno == EIO);
}

/* Stops at its read; continued in the foreground, reads again and finds
 * no input (O_NONBLOCK, set by the parent). */
static int read_until_foreground(void)
{
	char c;
	return !(read(0, &c, 1) < 0 && errno == EAGAIN);
}

static const char background_line[] = "console: written in the background\n";

static int write_in_background(void)
{
	return write(1, background_line, sizeof background_line - 1) != sizeof background_line - 1;
}

static int write_ignoring_sigttou(void)
{
	signal(SIGTTOU, SIG_IGN);
	return write_in_background();
}

static int set_attributes_in_background(void)
{
	struct termios t;
	tcgetattr(0, &t);
	return tcsetattr(0, TCSANOW, &t);
}

/* Its parent leaves at once: its group is orphaned, and it reads. Tells
 * through fd 3 (a pipe) what it saw: 'e' for EIO. */
static int read_when_orphaned(void)
{
	pid_t parent = getpid();
	if (fork() != 0)
		return 0;
	for (int i = 0; i < 2000 && getppid() == parent; i++)
		usleep(10000);
	char c;
	char seen = read(0, &c, 1) < 0 && errno == EIO ? 'e' : 'x';
	write(3, &seen, 1);
	_exit(0);
}

/* Job control on the console: this process is its foreground group, its
 * children in groups of their own are in the background. */
static void job_control(void)
{
	/* Like a shell: it gives the console away and takes it back. */
	signal(SIGTTOU, SIG_IGN);
	expect_stop("background_read_gets_sigttin", read_once_in_background, SIGTTIN);
	expect_exit_0("background_read_ignoring_sigttin_is_eio", read_ignoring_sigttin);

	fcntl(0, F_SETFL, O_NONBLOCK);
	pid_t pid = background(read_until_foreground);
	int status = wait_for(pid);
	tcsetpgrp(0, pid);
	kill(pid, SIGCONT);
	int end = wait_for(pid);
	tcsetpgrp(0, getpgrp());
	fcntl(0, F_SETFL, 0);
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTTIN || !WIFEXITED(end) || WEXITSTATUS(end) != 0)
		report("stopped_reader_continued_in_foreground_reads", "wait statuses %#x, %#x", status, end);
	else
		report("stopped_reader_continued_in_foreground_reads", NULL);

	expect_exit_0("background_write_without_tostop", write_in_background);
	struct termios t, tostop;
	tcgetattr(0, &t);
	tostop = t;
	tostop.c_lflag |= TOSTOP;
	tcsetattr(0, TCSANOW, &tostop);
	expect_stop("background_write_with_tostop_gets_sigttou", write_in_background, SIGTTOU);
	expect_exit_0("background_write_ignoring_sigttou", write_ignoring_sigttou);
	tcsetattr(0, TCSANOW, &t);
	expect_stop("background_tcsetattr_gets_sigttou", set_attributes_in_background, SIGTTOU);

	int fds[2];
	pipe(fds);
	dup2(fds[1], 3);
	close(fds[1]);
	wait_for(background(read_when_orphaned));
	close(3);
	char seen = 0;
	read(fds[0], &seen, 1);
	close(fds[0]);
	if (seen != 'e')
		report("orphaned_group_read_is_eio", "saw '%c'", seen ? seen : '0');
	else
		report("orphaned_group_read_is_eio", NULL);
	signal(SIGTTOU, SIG_DFL);
}

int main(void)
{
	check_suite = "console";
	EXPECT_ERROR("nonblocking_read_without_input", (fcntl(0, F_SETFL, O_NONBLOCK), read(0, (char[8]){0}, 8)),
		     EAGAIN);
	fcntl(0, F_SETFL, 0);
	struct pollfd in = {.fd = 0, .events = POLLIN};
	if (poll(&in, 1, 0) != 0)
		report("poll_before_input", "input before any was typed");
	else
		report("poll_before_input", NULL);
	timed_raw_reads();
	const char ready[] = "console: ready\n";
	write(1, ready, sizeof ready - 1);
	int polled = poll(&in, 1, 20000);
	struct typed_read reads[] = {
		{"one_line_per_read", 255, "first line\n"},
		{"short_buffer_takes_part", 4, "seco"},
		{"rest_of_the_line", 255, "nd\n"},
		{"erase_and_carriage_return", 255, "edited\n"},
		{"kill_erases_the_line", 255, "kept\n"},
		{"ctrl_d_is_end_of_file", 255, ""},
	};
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
		read_typed(&reads[i]);
	if (polled != 1 || !(in.revents & POLLIN))
		report("poll_sees_input", "revents %#x", in.revents);
	else
		report("poll_sees_input", NULL);
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
		report_typed(&reads[i]);
	raw_mode();
	interrupt_key();
	job_control();
	return check_status();
}
