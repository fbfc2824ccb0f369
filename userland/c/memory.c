/* Memory calls beyond mmap and munmap: mremap (shrink, grow in place,
 * move), madvise, msync, MAP_FIXED_NOREPLACE, realloc of large blocks
 * (musl moves them with mremap), and private and shared mappings of
 * files.
 *
 * Prints one "test: memory/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
/* User-half memory that no program region covers. */
#define UNMAPPED_HOLE ((void *)0x200000000000UL)

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed);
}

static size_t first_wrong(const unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + seed))
			return i;
	return len;
}

static void *map(size_t len, int flags)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
}

static void remapping(void)
{
	unsigned char *p = map(3 * PAGE, MAP_PRIVATE);
	fill(p, 3 * PAGE, 1);
	unsigned char *q = mremap(p, 3 * PAGE, 300 * PAGE, MREMAP_MAYMOVE);
	size_t wrong = q == MAP_FAILED ? 0 : first_wrong(q, 3 * PAGE, 1);
	int zero = q != MAP_FAILED && q[200 * PAGE] == 0;
	if (q == MAP_FAILED)
		report("mremap_grow_keeps_contents", "failed with errno %d", errno);
	else if (wrong != 3 * PAGE || !zero)
		report("mremap_grow_keeps_contents", "byte %zu wrong, new page zero %d", wrong, zero);
	else
		report("mremap_grow_keeps_contents", NULL);
	q[299 * PAGE] = 5;
	unsigned char *r = mremap(q, 300 * PAGE, 2 * PAGE, 0);
	if (r != q || first_wrong(r, 2 * PAGE, 1) != 2 * PAGE)
		report("mremap_shrink_in_place", "returned %p for %p", (void *)r, (void *)q);
	else
		report("mremap_shrink_in_place", NULL);
	munmap(r, 2 * PAGE);

	EXPECT_ERROR("mremap_unmapped", (long)mremap(UNMAPPED_HOLE, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
	unsigned char *s = map(PAGE, MAP_PRIVATE);
	EXPECT_ERROR("mremap_fixed_without_maymove", (long)mremap(s, PAGE, PAGE, MREMAP_FIXED, UNMAPPED_HOLE), EINVAL);
	EXPECT_ERROR("mremap_bad_flags", (long)mremap(s, PAGE, PAGE, 0x100), EINVAL);
	munmap(s, PAGE);

	/* A moved shared mapping stays shared. */
	volatile int *shared = map(PAGE, MAP_SHARED);
	shared[0] = 0;
	pid_t pid = fork();
	if (pid == 0) {
		volatile int *moved = mremap((void *)shared, PAGE, 64 * PAGE, MREMAP_MAYMOVE);
		if (moved == MAP_FAILED)
			_exit(1);
		moved[0] = 77;
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (status != 0 || shared[0] != 77)
		report("mremap_shared_stays_shared", "status %#x, parent reads %d", status, shared[0]);
	else
		report("mremap_shared_stays_shared", NULL);
}

static void advice_and_sync(void)
{
	unsigned char *p = map(2 * PAGE, MAP_PRIVATE);
	fill(p, 2 * PAGE, 3);
	int r = madvise(p, 2 * PAGE, MADV_DONTNEED);
	if (r != 0 || p[0] != 0 || p[PAGE + 5] != 0)
		report("madvise_dontneed_zeroes_private", "returned %d, reads %d", r, p[0]);
	else
		report("madvise_dontneed_zeroes_private", NULL);
	unsigned char *s = map(PAGE, MAP_SHARED);
	fill(s, PAGE, 4);
	r = madvise(s, PAGE, MADV_DONTNEED);
	if (r != 0 || first_wrong(s, PAGE, 4) != PAGE)
		report("madvise_dontneed_keeps_shared", "returned %d", r);
	else
		report("madvise_dontneed_keeps_shared", NULL);
	if (madvise(p, PAGE, MADV_SEQUENTIAL) != 0)
		report("madvise_hint", "errno %d", errno);
	else
		report("madvise_hint", NULL);
	EXPECT_ERROR("madvise_unmapped", madvise(UNMAPPED_HOLE, PAGE, MADV_DONTNEED), ENOMEM);
	EXPECT_ERROR("madvise_unknown_advice", madvise(p, PAGE, 999), EINVAL);
	if (msync(p, PAGE, MS_SYNC) != 0)
		report("msync_anonymous", "errno %d", errno);
	else
		report("msync_anonymous", NULL);
	EXPECT_ERROR("msync_both_flags", msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	EXPECT_ERROR("msync_unmapped", msync(UNMAPPED_HOLE, PAGE, MS_SYNC), ENOMEM);

	void *taken = mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	int error = errno;
	if (taken != MAP_FAILED || error != EEXIST)
		report("map_fixed_noreplace_refuses", "returned %p, errno %d", taken, error);
	else
		report("map_fixed_noreplace_refuses", NULL);
	munmap(p, 2 * PAGE);
	munmap(s, PAGE);
}

static void big_realloc(void)
{
	size_t small = 1 << 20, big = 8 << 20;
	unsigned char *p = malloc(small);
	fill(p, small, 9);
	unsigned char *q = realloc(p, big);
	if (q == NULL || first_wrong(q, small, 9) != small)
		report("realloc_large_block", "realloc failed or lost data");
	else
		report("realloc_large_block", NULL);
	free(q);
}

/* A private file mapping holds the file's bytes from the offset, zeros
 * after its end; writing to it leaves the file alone. */
static void private_file_mapping(void)
{
	static unsigned char bytes[3 * PAGE + 100];
	fill(bytes, sizeof bytes, 5);
	int fd = open("/tmp/mapped", O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0 || write(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes) {
		report("private_file_mapping", "cannot write the file: %s", strerror(errno));
		return;
	}
	unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
	if (p == MAP_FAILED) {
		report("private_file_mapping", "mmap: %s", strerror(errno));
		return;
	}
	size_t in_file = sizeof bytes - PAGE;
	int same = memcmp(p, bytes + PAGE, in_file) == 0;
	int zeros = 1;
	for (size_t i = in_file; i < 4 * PAGE; i++)
		zeros &= p[i] == 0;
	if (!same || !zeros)
		report("private_file_mapping", "file bytes %s, tail zeros %s", same ? "ok" : "wrong", zeros ? "ok" : "wrong");
	else
		report("private_file_mapping", NULL);
	munmap(p, 4 * PAGE);

	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	unsigned char first = 0;
	if (p != MAP_FAILED) {
		memset(p, 0xee, 2 * PAGE);
		pread(fd, &first, 1, 10);
	}
	if (p == MAP_FAILED || first != bytes[10])
		report("private_mapping_writes_stay_private", "mmap %p, file byte %#x", (void *)p, first);
	else
		report("private_mapping_writes_stay_private", NULL);
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);

	EXPECT_ERROR("file_mapping_unaligned_offset", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	EXPECT_ERROR("file_mapping_bad_fd", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	int wronly = open("/tmp/mapped", O_WRONLY);
	EXPECT_ERROR("file_mapping_write_only_fd", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wronly, 0), EACCES);
	close(wronly);
	int pipe_fds[2];
	pipe(pipe_fds);
	EXPECT_ERROR("file_mapping_of_a_pipe", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pipe_fds[0], 0), ENODEV);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(fd);
	unlink("/tmp/mapped");
}

/* A shared file mapping is the file: stores through it show in read,
 * write shows through it, a forked child's stores too, and growing the
 * file makes the new part readable through the mapping. */
static void shared_file_mapping(void)
{
	static unsigned char bytes[5000];
	fill(bytes, sizeof bytes, 9);
	int fd = open("/tmp/shared-map", O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0 || write(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes) {
		report("shared_file_mapping", "cannot write the file: %s", strerror(errno));
		return;
	}
	unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		report("shared_file_mapping", "mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	if (first_wrong(p, sizeof bytes, 9) != sizeof bytes)
		report("shared_file_mapping", "the mapping does not hold the file's bytes");
	else
		report("shared_file_mapping", NULL);

	p[100] = 'Z';
	unsigned char c = 0;
	pread(fd, &c, 1, 100);
	if (c != 'Z')
		report("store_shows_in_read", "read %#x", c);
	else
		report("store_shows_in_read", NULL);

	pwrite(fd, "Y", 1, 200);
	if (p[200] != 'Y')
		report("write_shows_in_mapping", "mapping has %#x", p[200]);
	else
		report("write_shows_in_mapping", NULL);

	pid_t pid = fork();
	if (pid == 0) {
		p[300] = 'C';
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	c = 0;
	pread(fd, &c, 1, 300);
	if (c != 'C' || p[300] != 'C')
		report("child_store_shows_in_parent", "read %#x, mapping %#x", c, p[300]);
	else
		report("child_store_shows_in_parent", NULL);

	int grown = ftruncate(fd, 3 * PAGE) == 0 && p[6000] == 0;
	p[6000] = 'G';
	c = 0;
	struct stat st;
	grown = grown && pread(fd, &c, 1, 6000) == 1 && c == 'G' && fstat(fd, &st) == 0 && st.st_size == 3 * PAGE;
	if (!grown)
		report("grown_file_through_mapping", "read %#x, %s", c, strerror(errno));
	else
		report("grown_file_through_mapping", NULL);
	munmap(p, 4 * PAGE);

	/* The file keeps what the mapping wrote after the mapping is gone. */
	c = 0;
	pread(fd, &c, 1, 100);
	if (c != 'Z')
		report("file_keeps_stores_after_munmap", "read %#x", c);
	else
		report("file_keeps_stores_after_munmap", NULL);

	int rdonly = open("/tmp/shared-map", O_RDONLY);
	EXPECT_ERROR("shared_writable_map_of_read_only_fd", mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0),
		     EACCES);
	void *ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, rdonly, 0);
	if (ro == MAP_FAILED || ((unsigned char *)ro)[100] != 'Z')
		report("shared_read_only_map", "%s", strerror(errno));
	else
		report("shared_read_only_map", NULL);
	/* A file open read-only stays read-only through its mapping. */
	EXPECT_ERROR("read_only_file_map_stays_read_only", mprotect(ro, PAGE, PROT_READ | PROT_WRITE), EACCES);
	if (ro != MAP_FAILED)
		munmap(ro, PAGE);
	close(rdonly);
	EXPECT_ERROR("shared_map_unaligned_offset", mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 10), EINVAL);
	int pipe_fds[2];
	pipe(pipe_fds);
	EXPECT_ERROR("shared_map_of_a_pipe", mmap(NULL, PAGE, PROT_READ, MAP_SHARED, pipe_fds[0], 0), ENODEV);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(fd);
	unlink("/tmp/shared-map");
}

int main(void)
{
	check_suite = "memory";
	remapping();
	advice_and_sync();
	big_realloc();
	private_file_mapping();
	shared_file_mapping();
	return check_status();
}
