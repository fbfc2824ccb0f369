/* mprotect: protections change over part of a mapping, contents survive a
 * time without access, and the errors are Linux's.
 *
 * Without arguments: prints one "test: mprotect/<name> ... ok" or
 * "... FAILED <reason>" line per check and exits with 0 when every check
 * passed, 1 otherwise.
 * With "write-read-only" or "read-none": makes the access the protection
 * forbids, which must end the process as a segmentation fault (status 139,
 * which the test scenario expects); exits with 0 if the access succeeded. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
/* User-half memory that no program region covers. */
#define UNMAPPED_HOLE ((void *)0x200000000000UL)

static unsigned char *map_pages(int pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* The index of the first byte of `p[0..len)` that is not `pattern(i)`, or
 * `len`. */
static size_t first_wrong(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 13 + 1))
			return i;
	return len;
}

static void fill(unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 13 + 1);
}

/* The middle page of three becomes read-only, then inaccessible, then
 * writable again; the contents stay and the outer pages stay writable. */
static void check_round_trip(void)
{
	unsigned char *p = map_pages(3);
	if (p == NULL) {
		report("round_trip", "mmap failed with errno %d", errno);
		return;
	}
	fill(p, 3 * PAGE);
	if (mprotect(p + PAGE, PAGE, PROT_READ) != 0) {
		report("round_trip", "mprotect(PROT_READ) failed with errno %d", errno);
		return;
	}
	p[0] = 1;
	p[3 * PAGE - 1] = 2;
	size_t wrong = first_wrong(p + PAGE, PAGE);
	if (wrong != PAGE) {
		report("round_trip", "read-only byte %zu is wrong", wrong);
		return;
	}
	if (mprotect(p + PAGE, PAGE, PROT_NONE) != 0) {
		report("round_trip", "mprotect(PROT_NONE) failed with errno %d", errno);
		return;
	}
	if (mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE) != 0) {
		report("round_trip", "mprotect(PROT_READ|PROT_WRITE) failed with errno %d", errno);
		return;
	}
	wrong = first_wrong(p + PAGE, PAGE);
	p[PAGE] = 3;
	if (wrong != PAGE)
		report("round_trip", "byte %zu is wrong after PROT_NONE", wrong);
	else if (p[0] != 1 || p[3 * PAGE - 1] != 2 || p[PAGE] != 3)
		report("round_trip", "a write was lost");
	else
		report("round_trip", NULL);
	munmap(p, 3 * PAGE);
}

/* Pages never touched before mprotect are backed on first touch with the
 * new protection. */
static void check_untouched(void)
{
	unsigned char *p = map_pages(2);
	if (p == NULL) {
		report("untouched_pages", "mmap failed with errno %d", errno);
		return;
	}
	int r = mprotect(p, 2 * PAGE, PROT_READ);
	unsigned char seen = p[PAGE];
	int r2 = mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE);
	p[0] = 5;
	if (r != 0 || r2 != 0)
		report("untouched_pages", "mprotect failed: %d, %d (errno %d)", r, r2, errno);
	else if (seen != 0 || p[0] != 5)
		report("untouched_pages", "read %u, wrote 5 and read %u", seen, p[0]);
	else
		report("untouched_pages", NULL);
	munmap(p, 2 * PAGE);
}

static void check_errors(void)
{
	unsigned char *p = map_pages(2);
	if (p == NULL) {
		report("errors", "mmap failed with errno %d", errno);
		return;
	}
	/* musl's mprotect rounds the address down: ask the system directly. */
	int r = syscall(SYS_mprotect, p + 1, PAGE, PROT_READ);
	expect_error("unaligned_address", r, errno, EINVAL);
	r = mprotect(UNMAPPED_HOLE, PAGE, PROT_READ);
	expect_error("unmapped_range", r, errno, ENOMEM);
	/* A range running past the end of the mapping changes nothing. */
	munmap(p + PAGE, PAGE);
	r = mprotect(p, 2 * PAGE, PROT_READ);
	expect_error("range_past_mapping", r, errno, ENOMEM);
	p[0] = 7;
	r = mprotect(p, PAGE, 0x100);
	expect_error("unknown_prot_bits", r, errno, EINVAL);
	r = mprotect(p, 0, PROT_READ);
	if (r != 0)
		report("zero_length", "returned %d (errno %d)", r, errno);
	else
		report("zero_length", NULL);
	/* The length is rounded up to a page. */
	r = mprotect(p, 1, PROT_READ | PROT_WRITE);
	p[1] = 8;
	if (r != 0 || p[0] != 7 || p[1] != 8)
		report("partial_page_length", "returned %d (errno %d)", r, errno);
	else
		report("partial_page_length", NULL);
	munmap(p, PAGE);
}

/* Makes the access `what` names on a page whose protection forbids it. */
static int forbidden_access(const char *what)
{
	volatile unsigned char *p = map_pages(1);
	if (p == NULL)
		return 1;
	p[0] = 9;
	if (strcmp(what, "write-read-only") == 0) {
		mprotect((void *)p, PAGE, PROT_READ);
		p[0] = 10;
	} else if (strcmp(what, "read-none") == 0) {
		mprotect((void *)p, PAGE, PROT_NONE);
		return p[0] == 9 ? 0 : 2;
	} else {
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	check_suite = "mprotect";
	if (argc > 1)
		return forbidden_access(argv[1]);
	check_round_trip();
	check_untouched();
	check_errors();
	return check_status();
}
