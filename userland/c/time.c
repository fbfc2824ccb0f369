/* Clocks and sleeps: clock_gettime, clock_getres, gettimeofday, time,
 * nanosleep, clock_nanosleep, sched_yield, with their errors.
 *
 * Prints one "test: time/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* User-half memory that no program region covers. */
#define UNMAPPED_HOLE ((void *)0x200000000000UL)
/* 2020-01-01 00:00:00 UTC: any real clock is past it. */
#define Y2020 1577836800L

static long long ns(struct timespec ts)
{
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ns(ts);
}

static void clocks(void)
{
	struct timespec a, b, real;
	if (clock_gettime(CLOCK_MONOTONIC, &a) != 0 || clock_gettime(CLOCK_MONOTONIC, &b) != 0)
		report("monotonic", "failed with errno %d", errno);
	else if (ns(b) < ns(a) || a.tv_nsec < 0 || a.tv_nsec >= 1000000000)
		report("monotonic", "went from %lld to %lld", ns(a), ns(b));
	else
		report("monotonic", NULL);

	struct timeval tv;
	time_t t = time(NULL);
	if (clock_gettime(CLOCK_REALTIME, &real) != 0 || gettimeofday(&tv, NULL) != 0)
		report("realtime", "failed with errno %d", errno);
	else if (real.tv_sec < Y2020)
		report("realtime", "the time is %lld s after 1970", (long long)real.tv_sec);
	else if (t < real.tv_sec - 1 || t > real.tv_sec + 1 || tv.tv_sec < real.tv_sec - 1 || tv.tv_sec > real.tv_sec + 1)
		report("realtime", "clock_gettime %lld, time %lld, gettimeofday %lld", (long long)real.tv_sec,
		       (long long)t, (long long)tv.tv_sec);
	else
		report("realtime", NULL);

	struct timespec res;
	if (clock_getres(CLOCK_MONOTONIC, &res) != 0 || res.tv_sec != 0 || res.tv_nsec <= 0)
		report("getres", "failed: errno %d, %lld ns", errno, ns(res));
	else
		report("getres", NULL);

	long r = syscall(SYS_clock_gettime, 1234, &a);
	expect_error("unknown_clock", r, errno, EINVAL);
	r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, UNMAPPED_HOLE);
	expect_error("gettime_bad_pointer", r, errno, EFAULT);
}

static void sleeps(void)
{
	struct timespec d = {0, 50 * 1000 * 1000};
	long long start = monotonic();
	int r = nanosleep(&d, NULL);
	long long slept = monotonic() - start;
	if (r != 0)
		report("nanosleep", "failed with errno %d", errno);
	else if (slept < 50000000LL || slept > 2000000000LL)
		report("nanosleep", "slept %lld ns for 50 ms", slept);
	else
		report("nanosleep", NULL);

	struct timespec bad = {0, 1000000000};
	r = nanosleep(&bad, NULL);
	expect_error("nanosleep_bad_nsec", r, errno, EINVAL);
	struct timespec negative = {-1, 0};
	r = nanosleep(&negative, NULL);
	expect_error("nanosleep_negative", r, errno, EINVAL);
	r = nanosleep(UNMAPPED_HOLE, NULL);
	expect_error("nanosleep_bad_pointer", r, errno, EFAULT);

	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += 30 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
	if (r != 0)
		report("clock_nanosleep_abstime", "returned %d", r);
	else if (monotonic() < ns(deadline))
		report("clock_nanosleep_abstime", "woke %lld ns early", ns(deadline) - monotonic());
	else
		report("clock_nanosleep_abstime", NULL);
	r = clock_nanosleep(CLOCK_MONOTONIC, 0x10, &d, NULL);
	if (r != EINVAL)
		report("clock_nanosleep_bad_flags", "returned %d, expected EINVAL", r);
	else
		report("clock_nanosleep_bad_flags", NULL);

	if (sched_yield() != 0)
		report("sched_yield", "failed with errno %d", errno);
	else
		report("sched_yield", NULL);
}

int main(void)
{
	check_suite = "time";
	clocks();
	sleeps();
	return check_status();
}
