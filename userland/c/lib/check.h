/* What every C test program reports with: one line per check,
 *   "test: <suite>/<name> ... ok"  or  "test: <suite>/<name> ... FAILED <reason>",
 * each with a single write(2) so that no other output (another process's
 * included) lands inside it. The harness (`cargo tern test`) reads these
 * lines from the serial console. A program sets `check_suite` first and
 * ends with `return check_status();`: 0 when every check passed, else 1. */
#ifndef TERN_CHECK_H
#define TERN_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *check_suite = "c";
static int check_failures;

/* Reports one check: "ok" when `reason` is NULL, else FAILED and the reason
 * (a printf format). */
__attribute__((format(printf, 2, 3))) static void report(const char *name, const char *reason, ...)
{
	char line[256];
	int n = snprintf(line, sizeof line, "test: %s/%s ... ", check_suite, name);
	if (reason == NULL) {
		n += snprintf(line + n, sizeof line - n, "ok\n");
	} else {
		va_list args;
		va_start(args, reason);
		n += snprintf(line + n, sizeof line - n, "FAILED ");
		n += vsnprintf(line + n, sizeof line - n, reason, args);
		va_end(args);
		n += snprintf(line + n, sizeof line - n, "\n");
		check_failures++;
	}
	if (n > (int)sizeof line - 1) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	write(1, line, n);
}

/* The symbolic name of an errno value ("ENOENT"), for failure messages;
 * the number for one not listed here. (The returned string is static.) */
__attribute__((unused)) static const char *errno_name(int error)
{
#define ERRNO_NAME(e)                                                                                                  \
	case e:                                                                                                        \
		return #e;
	switch (error) {
		ERRNO_NAME(EPERM)
		ERRNO_NAME(ENOENT)
		ERRNO_NAME(ESRCH)
		ERRNO_NAME(EINTR)
		ERRNO_NAME(EIO)
		ERRNO_NAME(ENXIO)
		ERRNO_NAME(E2BIG)
		ERRNO_NAME(ENOEXEC)
		ERRNO_NAME(EBADF)
		ERRNO_NAME(ECHILD)
		ERRNO_NAME(EAGAIN)
		ERRNO_NAME(ENOMEM)
		ERRNO_NAME(EACCES)
		ERRNO_NAME(EFAULT)
		ERRNO_NAME(EBUSY)
		ERRNO_NAME(EEXIST)
		ERRNO_NAME(EXDEV)
		ERRNO_NAME(ENODEV)
		ERRNO_NAME(ENOTDIR)
		ERRNO_NAME(EISDIR)
		ERRNO_NAME(EINVAL)
		ERRNO_NAME(ENFILE)
		ERRNO_NAME(EMFILE)
		ERRNO_NAME(ENOTTY)
		ERRNO_NAME(ETXTBSY)
		ERRNO_NAME(EFBIG)
		ERRNO_NAME(ENOSPC)
		ERRNO_NAME(ESPIPE)
		ERRNO_NAME(EROFS)
		ERRNO_NAME(EMLINK)
		ERRNO_NAME(EPIPE)
		ERRNO_NAME(ERANGE)
		ERRNO_NAME(ENAMETOOLONG)
		ERRNO_NAME(ENOSYS)
		ERRNO_NAME(ENOTEMPTY)
		ERRNO_NAME(ELOOP)
		ERRNO_NAME(EOVERFLOW)
		ERRNO_NAME(ENOTSUP)
	}
#undef ERRNO_NAME
	static char number[24];
	snprintf(number, sizeof number, "errno %d", error);
	return number;
}

/* Checks that a call returned -1 with `expected` in errno. */
__attribute__((unused)) static void expect_error(const char *name, long result, int error, int expected)
{
	if (result != -1)
		report(name, "returned %ld, expected -1 (%s)", result, errno_name(expected));
	else if (error != expected)
		report(name, "errno %s (%s), expected %s", errno_name(error), strerror(error), errno_name(expected));
	else
		report(name, NULL);
}

/* Runs `call`, then checks that it failed with `expected` in errno. (With
 * expect_error(name, call, errno, ...) C may read errno before the call.) */
#define EXPECT_ERROR(name, call, expected)                                                                             \
	do {                                                                                                           \
		long result_ = (long)(call);                                                                           \
		int errno_ = errno;                                                                                    \
		expect_error(name, result_, errno_, expected);                                                         \
	} while (0)

/* The exit status for the checks so far. */
static int check_status(void)
{
	return check_failures == 0 ? 0 : 1;
}

#endif
