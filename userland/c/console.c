/* Console input: lines typed at the terminal, as a program reading its
 * standard input in canonical mode gets them. The test harness types
 *   "first line\nsecond\neditzz<DEL><DEL>ed\rjunk^Ukept\n^D"
 * once this program says "console: ready" (scenario `console`): whole
 * lines come one per read, a short buffer takes a line in parts, erase and
 * kill edit the line, a carriage return ends it too, ^D at the start of a
 * line is the end of file, and poll says when input is there.
 *
 * Prints one "test: console/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* Reads once from standard input into `buf` (NUL-terminated); the count. */
static long read_once(char *buf, size_t size)
{
	long n = read(0, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

static void expect_read(const char *name, size_t size, const char *want)
{
	char buf[256];
	long n = read_once(buf, size + 1);
	if (n != (long)strlen(want) || strcmp(buf, want) != 0)
		report(name, "read %ld bytes \"%s\", expected \"%s\"", n, buf, want);
	else
		report(name, NULL);
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
	const char ready[] = "console: ready\n";
	write(1, ready, sizeof ready - 1);
	if (poll(&in, 1, 20000) != 1 || !(in.revents & POLLIN))
		report("poll_sees_input", "revents %#x", in.revents);
	else
		report("poll_sees_input", NULL);
	expect_read("one_line_per_read", 255, "first line\n");
	expect_read("short_buffer_takes_part", 4, "seco");
	expect_read("rest_of_the_line", 255, "nd\n");
	expect_read("erase_and_carriage_return", 255, "edited\n");
	expect_read("kill_erases_the_line", 255, "kept\n");
	expect_read("ctrl_d_is_end_of_file", 255, "");
	return check_status();
}
