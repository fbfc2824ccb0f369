/* Descriptors, pipes and devices: pipes between processes (blocking, end
 * of file, EPIPE and SIGPIPE, O_NONBLOCK, large writes), dup and fcntl,
 * close-on-exec, the devices of /dev, fstat, lseek, poll and select.
 *
 * Without arguments: the checks. With "exec-check FD OPEN": the program
 * the close-on-exec check runs, which exits with 0 when descriptor FD is
 * open (OPEN=1) or closed (OPEN=0) as expected. Prints one
 * "test: files/<name> ... ok|FAILED" line per check (check.h) and exits
 * with 0 when every check passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static void pipes_between_processes(void)
{
	int p[2];
	if (pipe(p) != 0) {
		report("pipe_between_processes", "pipe failed with errno %d", errno);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		sleep_ms(30); /* the parent's read waits for this */
		write(p[1], "hello, ", 7);
		write(p[1], "parent", 6);
		_exit(0);
	}
	close(p[1]);
	char buf[64];
	size_t got = 0;
	ssize_t n;
	while ((n = read(p[0], buf + got, sizeof buf - got)) > 0)
		got += n;
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	if (n != 0 || got != 13 || memcmp(buf, "hello, parent", 13) != 0)
		report("pipe_between_processes", "read %zu bytes, last read %zd", got, n);
	else
		report("pipe_between_processes", NULL);
}

/* 256 KiB through a 64 KiB pipe: the writer waits for the reader. */
static void large_transfer(void)
{
	enum { TOTAL = 256 * 1024 };
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		static unsigned char data[TOTAL];
		for (int i = 0; i < TOTAL; i++)
			data[i] = (unsigned char)(i * 13 + 5);
		ssize_t w = write(p[1], data, TOTAL);
		_exit(w == TOTAL ? 0 : 1);
	}
	close(p[1]);
	static unsigned char in[TOTAL];
	size_t got = 0;
	ssize_t n;
	while (got < TOTAL && (n = read(p[0], in + got, TOTAL - got)) > 0)
		got += n;
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	size_t bad = got;
	for (size_t i = 0; i < got; i++)
		if (in[i] != (unsigned char)(i * 13 + 5)) {
			bad = i;
			break;
		}
	if (status != 0 || got != TOTAL || bad != got)
		report("large_transfer", "status %#x, got %zu, first bad byte %zu", status, got, bad);
	else
		report("large_transfer", NULL);
}

static volatile int pipe_signals;
static void on_sigpipe(int sig)
{
	(void)sig;
	pipe_signals++;
}

static void pipe_errors(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	struct sigaction sa = {.sa_handler = on_sigpipe};
	sigaction(SIGPIPE, &sa, NULL);
	ssize_t w = write(p[1], "x", 1);
	int error = errno;
	if (w != -1 || error != EPIPE || pipe_signals != 1)
		report("epipe_and_sigpipe", "write returned %zd, errno %d, %d signals", w, error, (int)pipe_signals);
	else
		report("epipe_and_sigpipe", NULL);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);

	pipe2(p, O_NONBLOCK);
	char c;
	EXPECT_ERROR("nonblocking_empty_read", read(p[0], &c, 1), EAGAIN);
	EXPECT_ERROR("lseek_on_pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
	EXPECT_ERROR("read_write_end", read(p[1], &c, 1), EBADF);
	close(p[0]);
	close(p[1]);
	EXPECT_ERROR("close_twice", close(p[0]), EBADF);

	/* A writer that is killed still closes its end. */
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (;;)
			pause();
	}
	close(p[1]);
	sleep_ms(10);
	kill(pid, SIGKILL);
	ssize_t r = read(p[0], &c, 1);
	int status;
	waitpid(pid, &status, 0);
	if (r != 0)
		report("killed_writer_gives_eof", "read returned %zd", r);
	else
		report("killed_writer_gives_eof", NULL);
	close(p[0]);
}

static void descriptors(void)
{
	int fd = open("/dev/null", O_RDWR);
	int d = dup(fd);
	int flags = fcntl(d, F_GETFD);
	if (fd < 0 || d <= fd || flags != 0)
		report("dup", "open %d, dup %d, flags %d", fd, d, flags);
	else
		report("dup", NULL);
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	if (high != 100 || fcntl(high, F_GETFD) != FD_CLOEXEC)
		report("f_dupfd_cloexec", "got %d with flags %d", high, fcntl(high, F_GETFD));
	else
		report("f_dupfd_cloexec", NULL);
	if (dup2(fd, 50) != 50 || write(50, "x", 1) != 1)
		report("dup2", "errno %d", errno);
	else
		report("dup2", NULL);
	EXPECT_ERROR("dup3_same_fd", dup3(fd, fd, 0), EINVAL);
	EXPECT_ERROR("dup_bad_fd", dup(999), EBADF);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if ((fcntl(d, F_GETFL) & O_NONBLOCK) == 0)
		report("status_flags_shared_by_dup", "O_NONBLOCK not seen through the duplicate");
	else
		report("status_flags_shared_by_dup", NULL);
	close(fd);
	close(d);
	close(high);
	close(50);
}

static void devices(void)
{
	char buf[16];
	int null = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDONLY);
	int full = open("/dev/full", O_WRONLY), urandom = open("/dev/urandom", O_RDONLY);
	memset(buf, 1, sizeof buf);
	int ok = read(null, buf, sizeof buf) == 0 && write(null, "abc", 3) == 3;
	ok = ok && read(zero, buf, sizeof buf) == sizeof buf && buf[0] == 0 && buf[15] == 0;
	if (!ok)
		report("dev_null_and_zero", "wrong reads or writes");
	else
		report("dev_null_and_zero", NULL);
	EXPECT_ERROR("dev_full_is_full", write(full, "x", 1), ENOSPC);
	unsigned char a[16], b[16];
	if (read(urandom, a, 16) != 16 || read(urandom, b, 16) != 16 || memcmp(a, b, 16) == 0)
		report("dev_urandom", "two reads gave the same bytes");
	else
		report("dev_urandom", NULL);
	EXPECT_ERROR("open_missing", open("/dev/nothing-here", O_RDONLY), ENOENT);
	struct stat st;
	int p[2];
	pipe(p);
	if (fstat(null, &st) != 0 || !S_ISCHR(st.st_mode) || fstat(p[0], &st) != 0 || !S_ISFIFO(st.st_mode))
		report("fstat_kinds", "errno %d, mode %o", errno, st.st_mode);
	else
		report("fstat_kinds", NULL);
	if (!isatty(1) || isatty(null))
		report("isatty", "console %d, null %d", isatty(1), isatty(null));
	else
		report("isatty", NULL);
	close(p[0]);
	close(p[1]);
	close(null);
	close(zero);
	close(full);
	close(urandom);
}

static void polling(void)
{
	int p[2];
	pipe(p);
	struct pollfd fds[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
	int n = poll(fds, 2, 0);
	if (n != 1 || fds[0].revents != 0 || !(fds[1].revents & POLLOUT))
		report("poll_empty_pipe", "returned %d, revents %#x %#x", n, fds[0].revents, fds[1].revents);
	else
		report("poll_empty_pipe", NULL);
	pid_t pid = fork();
	if (pid == 0) {
		sleep_ms(30);
		write(p[1], "x", 1);
		_exit(0);
	}
	struct pollfd in = {.fd = p[0], .events = POLLIN};
	n = poll(&in, 1, 5000);
	int status;
	waitpid(pid, &status, 0);
	if (n != 1 || !(in.revents & POLLIN))
		report("poll_waits_for_data", "returned %d, revents %#x", n, in.revents);
	else
		report("poll_waits_for_data", NULL);
	close(p[1]);
	char c;
	read(p[0], &c, 1);
	in.revents = 0;
	n = poll(&in, 1, 0);
	if (n != 1 || !(in.revents & POLLHUP))
		report("poll_hangup", "returned %d, revents %#x", n, in.revents);
	else
		report("poll_hangup", NULL);
	close(p[0]);
	struct pollfd bad = {.fd = 999, .events = POLLIN};
	if (poll(&bad, 1, 0) != 1 || bad.revents != POLLNVAL)
		report("poll_bad_fd", "revents %#x", bad.revents);
	else
		report("poll_bad_fd", NULL);
}

/* readv from a pipe returns what is there once the first buffer is
 * full, instead of waiting to fill the next. */
static void readv_from_pipe(void)
{
	int p[2];
	pipe(p);
	write(p[1], "12345", 5);
	char a[5], b[10];
	struct iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
	ssize_t n = readv(p[0], iov, 2);
	if (n != 5 || memcmp(a, "12345", 5) != 0)
		report("readv_pipe_returns_what_is_there", "returned %zd", n);
	else
		report("readv_pipe_returns_what_is_there", NULL);
	close(p[0]);
	close(p[1]);
}

/* An empty buffer is not looked at, whatever its address: musl flushes a
 * file's buffer with writev(fd, {buffer, n} {NULL, 0}). */
static void empty_iovecs(void)
{
	int p[2];
	pipe(p);
	struct iovec out[2] = {{"ab", 2}, {NULL, 0}};
	ssize_t written = writev(p[1], out, 2);
	char got[2] = {0};
	struct iovec in[2] = {{got, sizeof got}, {NULL, 0}};
	ssize_t read = readv(p[0], in, 2);
	if (written != 2 || read != 2 || memcmp(got, "ab", 2) != 0)
		report("empty_iovec_at_null", "writev %zd readv %zd", written, read);
	else
		report("empty_iovec_at_null", NULL);
	close(p[0]);
	close(p[1]);
}

static void selecting(void)
{
	int p[2];
	pipe(p);
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval zero = {0, 0};
	int n = select(p[1] + 1, &r, &w, NULL, &zero);
	if (n != 1 || FD_ISSET(p[0], &r) || !FD_ISSET(p[1], &w))
		report("select_empty_pipe", "returned %d", n);
	else
		report("select_empty_pipe", NULL);
	pid_t pid = fork();
	if (pid == 0) {
		sleep_ms(30);
		write(p[1], "x", 1);
		_exit(0);
	}
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval wait = {5, 0};
	n = select(p[0] + 1, &r, NULL, NULL, &wait);
	int status;
	waitpid(pid, &status, 0);
	if (n != 1 || !FD_ISSET(p[0], &r))
		report("select_waits_for_data", "returned %d", n);
	else
		report("select_waits_for_data", NULL);
	char c;
	read(p[0], &c, 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timespec brief = {0, 50 * 1000000};
	struct timespec before, after;
	clock_gettime(CLOCK_MONOTONIC, &before);
	n = pselect(p[0] + 1, &r, NULL, NULL, &brief, NULL);
	clock_gettime(CLOCK_MONOTONIC, &after);
	long waited_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
	if (n != 0 || FD_ISSET(p[0], &r) || waited_ms < 45)
		report("pselect_times_out", "returned %d after %ld ms", n, waited_ms);
	else
		report("pselect_times_out", NULL);
	close(p[0]);
	close(p[1]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	EXPECT_ERROR("select_closed_fd", select(p[0] + 1, &r, NULL, NULL, &zero), EBADF);
	EXPECT_ERROR("select_negative_nfds", select(-1, NULL, NULL, NULL, &zero), EINVAL);
	struct timespec bad_time = {0, 2000000000};
	EXPECT_ERROR("pselect_bad_timeout", pselect(0, NULL, NULL, NULL, &bad_time, NULL), EINVAL);
}

static void close_on_exec(void)
{
	int kept = open("/dev/null", O_RDONLY);
	int closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int results[2];
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			char fd_text[16];
			snprintf(fd_text, sizeof fd_text, "%d", i == 0 ? kept : closed);
			char *args[] = {"files", "exec-check", fd_text, i == 0 ? "1" : "0", NULL};
			execv("/bin/files", args);
			_exit(100);
		}
		int status;
		waitpid(pid, &status, 0);
		results[i] = status;
	}
	if (results[0] != 0 || results[1] != 0)
		report("close_on_exec", "kept fd: %#x, close-on-exec fd: %#x", results[0], results[1]);
	else
		report("close_on_exec", NULL);
	close(kept);
	close(closed);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "exec-check") == 0) {
		int open_now = fcntl(atoi(argv[2]), F_GETFD) != -1;
		return open_now == atoi(argv[3]) ? 0 : 1;
	}
	check_suite = "files";
	pipes_between_processes();
	large_transfer();
	pipe_errors();
	descriptors();
	devices();
	polling();
	selecting();
	readv_from_pipe();
	empty_iovecs();
	close_on_exec();
	return check_status();
}
