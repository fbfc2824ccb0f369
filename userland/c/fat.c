/* The FAT root file system on disk (fs0 mounts partition 2 of the IDE disk
 * as / given root=ide:2, or of the ramdisk given root=ramdisk:2), checked
 * over two boots of the same disk, or timed.
 *
 * "write": in /fattest, files (read and write, seeks, pread and pwrite,
 * truncation, O_APPEND, O_EXCL, O_TRUNC), long names and FAT's
 * case-insensitive but case-preserving names, directories and "..",
 * renames, what FAT cannot hold (links, ':' and '*' in names), stat and
 * modification times, 1,000 files in one directory, processes appending
 * to one file, a file unlinked while open, and a 64 MiB file (its write
 * and read speed printed as "fat: 64 MiB write X MiB/s, read Y MiB/s").
 * Everything made in /fattest is removed again, /fattest too; then
 * /persist is left for the next boot, and sync() called.
 * "check": on the next boot, /persist holds exactly what "write" left and
 * /fattest is gone; /persist is removed, so the disk is back to the tree
 * it was made with, and sync() called; when all passed, it powers the
 * machine off (reboot(2)), which unmounts the disk first.
 *
 * "bench <disk>": the 64 MiB file alone, in /benchfat, its speeds
 * printed as "bench:" lines named after <disk> (see bench_mode).
 *
 * The harness runs fsck.fat on the disk after each test boot. "write" and
 * "check" print one "test: fat/<name> ... ok|FAILED" line per check
 * (check.h) and exit with 0 when every check passed ("check" powers off
 * instead). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define TEST_DIR "/fattest"
#define BENCH_DIR "/benchfat"
#define PERSIST_DIR "/persist"
#define PERSIST_DATA PERSIST_DIR "/data.txt"
#define PERSIST_SUB PERSIST_DIR "/sub"
#define PERSIST_LONG_NAME "Long File Name.txt"
#define PERSIST_LONG PERSIST_SUB "/" PERSIST_LONG_NAME
#define PERSIST_LONG_TEXT "persisted\n"
enum { PERSIST_DATA_BYTES = 10000 };

/* Writes `len` bytes to a new or truncated file; 0, or -1 with errno. */
static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, data, len);
	int error = errno;
	close(fd);
	if (w != (ssize_t)len) {
		errno = w < 0 ? error : EIO;
		return -1;
	}
	return 0;
}

/* Reads up to `cap` bytes of a file; the length, or -1 with errno. */
static ssize_t read_file(const char *path, void *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t got = 0;
	ssize_t n;
	while (got < cap && (n = read(fd, (char *)buf + got, cap - got)) > 0)
		got += n;
	int error = errno;
	close(fd);
	if (n < 0) {
		errno = error;
		return -1;
	}
	return got;
}

/* Whether the file at `path` holds exactly `len` bytes `expected`; if not,
 * `why` says how it differs. */
static int file_holds(const char *path, const void *expected, size_t len, char *why, size_t why_len)
{
	static char buf[PERSIST_DATA_BYTES + 1];
	if (len >= sizeof buf) {
		snprintf(why, why_len, "%zu bytes is more than file_holds reads", len);
		return 0;
	}
	ssize_t n = read_file(path, buf, sizeof buf);
	if (n < 0) {
		snprintf(why, why_len, "reading %s: %s", path, errno_name(errno));
		return 0;
	}
	if ((size_t)n != len) {
		snprintf(why, why_len, "%s holds %zd bytes, expected %zu", path, n, len);
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ((const char *)expected)[i]) {
			snprintf(why, why_len, "%s: byte %zu is %#x, expected %#x", path, i, (unsigned char)buf[i],
				 ((const unsigned char *)expected)[i]);
			return 0;
		}
	return 1;
}

/* How many entries of directory `dir` are named exactly `name`; -1 if the
 * directory cannot be read. */
static int listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		count += strcmp(e->d_name, name) == 0;
	closedir(d);
	return count;
}

/* Whether the working directory is `expected`; `got` receives it. */
static int cwd_is(const char *expected, char *got, size_t len)
{
	if (getcwd(got, len) == NULL) {
		snprintf(got, len, "(getcwd failed: %s)", errno_name(errno));
		return 0;
	}
	return strcmp(got, expected) == 0;
}

/* Whether `len` bytes at `buf` are all zero. */
static int all_zero(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != 0)
			return 0;
	return 1;
}

static void file_io(void)
{
	int fd = open("a.txt", O_CREAT | O_EXCL | O_RDWR, 0644);
	if (fd < 0) {
		report("create", "open(a.txt, O_CREAT|O_EXCL): %s", errno_name(errno));
		return;
	}
	report("create", NULL);

	char buf[5000];
	ssize_t w = write(fd, "hello, fat world", 16);
	off_t start = lseek(fd, 0, SEEK_SET);
	memset(buf, 0, sizeof buf);
	ssize_t r = read(fd, buf, sizeof buf);
	if (w != 16 || start != 0 || r != 16 || memcmp(buf, "hello, fat world", 16) != 0)
		report("write_and_read_back", "wrote %zd, lseek %ld, read %zd: '%.16s'", w, (long)start, r, buf);
	else
		report("write_and_read_back", NULL);

	off_t end = lseek(fd, 0, SEEK_END);
	off_t cur = lseek(fd, -5, SEEK_CUR);
	off_t set = lseek(fd, 3, SEEK_SET);
	memset(buf, 0, sizeof buf);
	r = read(fd, buf, 2);
	if (end != 16 || cur != 11 || set != 3 || r != 2 || memcmp(buf, "lo", 2) != 0)
		report("lseek", "SEEK_END %ld (expected 16), SEEK_CUR -5 %ld (11), SEEK_SET 3 %ld (3), then read '%.2s'",
		       (long)end, (long)cur, (long)set, buf);
	else
		report("lseek", NULL);

	w = pwrite(fd, "FAT", 3, 7);
	memset(buf, 0, sizeof buf);
	r = pread(fd, buf, 9, 7);
	cur = lseek(fd, 0, SEEK_CUR);
	if (w != 3 || r != 9 || memcmp(buf, "FAT world", 9) != 0 || cur != 5)
		report("pread_pwrite", "pwrite %zd, pread %zd '%.9s' (expected 'FAT world'), offset %ld (expected 5)", w, r,
		       buf, (long)cur);
	else
		report("pread_pwrite", NULL);

	/* A write past the end leaves zeros in the gap. */
	lseek(fd, 100, SEEK_SET);
	w = write(fd, "end", 3);
	struct stat st;
	fstat(fd, &st);
	memset(buf, 0x55, sizeof buf);
	r = pread(fd, buf, 84, 16);
	if (w != 3 || st.st_size != 103 || r != 84 || !all_zero(buf, 84))
		report("write_past_end_fills_zeros", "write %zd, size %ld (expected 103), gap read %zd, zeros %d", w,
		       (long)st.st_size, r, all_zero(buf, 84));
	else
		report("write_past_end_fills_zeros", NULL);

	/* Growing by ftruncate reads as zeros, over several clusters. */
	int grow = ftruncate(fd, 5000);
	fstat(fd, &st);
	memset(buf, 0x55, sizeof buf);
	r = pread(fd, buf, sizeof buf, 0);
	if (grow != 0 || st.st_size != 5000 || r != 5000 || memcmp(buf + 100, "end", 3) != 0 ||
	    !all_zero(buf + 103, 5000 - 103))
		report("ftruncate_grow", "ftruncate %d, size %ld (expected 5000), read %zd, zeros after the end %d", grow,
		       (long)st.st_size, r, all_zero(buf + 103, 5000 - 103));
	else
		report("ftruncate_grow", NULL);

	/* Shrinking drops the tail: growing again must not bring it back. */
	int shrink = ftruncate(fd, 4);
	struct stat shrunk;
	fstat(fd, &shrunk);
	int regrow = ftruncate(fd, 10);
	memset(buf, 0x55, sizeof buf);
	r = pread(fd, buf, sizeof buf, 0);
	if (shrink != 0 || shrunk.st_size != 4 || regrow != 0 || r != 10 || memcmp(buf, "hell", 4) != 0 ||
	    !all_zero(buf + 4, 6))
		report("ftruncate_shrink", "ftruncate %d, size %ld (expected 4), regrow %d, read %zd '%.4s', zeros after %d",
		       shrink, (long)shrunk.st_size, regrow, r, buf, all_zero(buf + 4, 6));
	else
		report("ftruncate_shrink", NULL);
	close(fd);

	fd = open("a.txt", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	w = write(fd, "++", 2);
	close(fd);
	memset(buf, 0, sizeof buf);
	r = read_file("a.txt", buf, sizeof buf);
	if (w != 2 || r != 12 || memcmp(buf + 10, "++", 2) != 0)
		report("o_append", "write %zd, file %zd bytes (expected 12) ending '%.2s'", w, r, r >= 2 ? buf + r - 2 : "");
	else
		report("o_append", NULL);

	EXPECT_ERROR("o_excl_existing", open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);

	fd = open("a.txt", O_WRONLY | O_TRUNC);
	fstat(fd, &st);
	close(fd);
	struct stat by_path;
	stat("a.txt", &by_path);
	if (fd < 0 || st.st_size != 0 || by_path.st_size != 0)
		report("o_trunc", "fd %d, size %ld by fstat and %ld by stat, expected 0", fd, (long)st.st_size,
		       (long)by_path.st_size);
	else
		report("o_trunc", NULL);

	if (unlink("a.txt") != 0 || access("a.txt", F_OK) == 0)
		report("unlink", "a.txt still there (unlink: %s)", errno_name(errno));
	else
		report("unlink", NULL);
}

static void names(void)
{
	/* 100 characters with spaces, dots and both cases: a long name only. */
	char name[101];
	const char *alphabet = "Long name. with spaces AND case ";
	for (int i = 0; i < 100; i++)
		name[i] = alphabet[i % strlen(alphabet)];
	name[99] = 'x'; /* a name may not end in a space or a dot */
	name[100] = 0;
	int made = write_file(name, "long", 4);
	int error = errno;
	struct stat st;
	int found = stat(name, &st) == 0 && st.st_size == 4;
	int seen = listed(".", name);
	if (made != 0 || !found || seen != 1)
		report("name_of_100_characters", "create %s, stat %d, listed %d times", made ? errno_name(error) : "ok",
		       found, seen);
	else
		report("name_of_100_characters", NULL);
	unlink(name);

	/* Case-insensitive, case-preserving. */
	made = write_file("MixedCase.Txt", "mixed", 5);
	char buf[16] = {0};
	ssize_t r = read_file("mixedcase.txt", buf, sizeof buf);
	if (made != 0 || r != 5 || memcmp(buf, "mixed", 5) != 0)
		report("open_ignores_case", "create %d, open(mixedcase.txt) read %zd '%.5s' (%s)", made, r, buf,
		       r < 0 ? errno_name(errno) : "ok");
	else
		report("open_ignores_case", NULL);
	int exact = listed(".", "MixedCase.Txt");
	int lower = listed(".", "mixedcase.txt");
	int upper = listed(".", "MIXEDCASE.TXT");
	if (exact != 1 || lower != 0 || upper != 0)
		report("listing_keeps_case", "listed as MixedCase.Txt %d, mixedcase.txt %d, MIXEDCASE.TXT %d times", exact,
		       lower, upper);
	else
		report("listing_keeps_case", NULL);
	int fd = open("MIXEDCASE.TXT", O_CREAT | O_EXCL | O_WRONLY, 0644);
	expect_error("o_excl_other_case", fd, errno, EEXIST);
	if (fd >= 0) {
		/* A second file was made: remove it, so that only this check fails. */
		close(fd);
		unlink("MIXEDCASE.TXT");
	}
	if (unlink("mIxEdCaSe.tXt") != 0 || listed(".", "MixedCase.Txt") != 0)
		report("unlink_ignores_case", "unlink(mIxEdCaSe.tXt): %s", errno_name(errno));
	else
		report("unlink_ignores_case", NULL);
	unlink("MixedCase.Txt");

	/* Names that fit 8.3 keep their case too (FAT records an all-lower
	 * base or extension with flags rather than a long name). */
	write_file("lower.txt", "l", 1);
	write_file("UPPER.TXT", "u", 1);
	write_file("Mixed.TXT", "m", 1);
	int lower_seen = listed(".", "lower.txt"), upper_seen = listed(".", "UPPER.TXT"), mixed = listed(".", "Mixed.TXT");
	if (lower_seen != 1 || upper_seen != 1 || mixed != 1)
		report("short_names_keep_case", "lower.txt listed %d, UPPER.TXT %d, Mixed.TXT %d times", lower_seen,
		       upper_seen, mixed);
	else
		report("short_names_keep_case", NULL);
	unlink("lower.txt");
	unlink("UPPER.TXT");
	unlink("Mixed.TXT");

	/* Dot names of up to three letters (.git, .ssh): fatfs gives them a
	 * short name fsck.fat rejects unless fs0 repairs it (the harness's
	 * fsck after this boot sees the one left in /persist). */
	int dots = mkdir(".git", 0755) == 0 && write_file(".git/.x", "x", 1) == 0 && listed(".git", ".x") == 1;
	if (!dots)
		report("short_dot_names", "mkdir .git / create .git/.x: %s", errno_name(errno));
	else
		report("short_dot_names", NULL);
	unlink(".git/.x");
	rmdir(".git");
}

static void directories(void)
{
	struct stat st;
	int made = mkdir("d1", 0755) == 0 && mkdir("d1/d2", 0755) == 0 && mkdir("d1/d2/d3", 0755) == 0;
	int error = errno;
	if (!made || stat("d1/d2/d3", &st) != 0 || !S_ISDIR(st.st_mode))
		report("mkdir_nested", "mkdir: %s", made ? "ok, but d1/d2/d3 is no directory" : errno_name(error));
	else
		report("mkdir_nested", NULL);
	EXPECT_ERROR("mkdir_existing", mkdir("d1/d2", 0755), EEXIST);

	char cwd[PATH_MAX], cwd2[PATH_MAX];
	int ok = chdir("d1/d2/d3") == 0 && chdir("..") == 0;
	int at_d2 = ok && cwd_is(TEST_DIR "/d1/d2", cwd, sizeof cwd);
	ok = chdir("../..") == 0;
	int at_top = ok && cwd_is(TEST_DIR, cwd2, sizeof cwd2);
	int through = stat("d1/d2/../d2/d3/..", &st) == 0 && S_ISDIR(st.st_mode);
	chdir(TEST_DIR);
	if (!at_d2 || !at_top || !through)
		report("dotdot_navigation", "after d3 and ..: '%s' (expected %s/d1/d2), after ../..: '%s', stat through .. %d",
		       cwd, TEST_DIR, cwd2, through);
	else
		report("dotdot_navigation", NULL);

	write_file("d1/f", "f", 1);
	DIR *d = opendir("d1");
	int dirs = 0, files = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		dirs += strcmp(e->d_name, "d2") == 0 && e->d_type == DT_DIR;
		files += strcmp(e->d_name, "f") == 0 && e->d_type == DT_REG;
	}
	if (d)
		closedir(d);
	if (dirs != 1 || files != 1)
		report("readdir_types", "d2 as a directory %d times, f as a file %d times", dirs, files);
	else
		report("readdir_types", NULL);

	EXPECT_ERROR("rmdir_not_empty", rmdir("d1"), ENOTEMPTY);
	EXPECT_ERROR("unlink_directory", unlink("d1"), EISDIR);
	EXPECT_ERROR("rmdir_file", rmdir("d1/f"), ENOTDIR);
	EXPECT_ERROR("open_missing", open("d1/missing", O_RDONLY), ENOENT);
	EXPECT_ERROR("create_in_missing_dir", open("nodir/x", O_CREAT | O_WRONLY, 0644), ENOENT);
	EXPECT_ERROR("path_through_file", open("d1/f/x", O_RDONLY), ENOTDIR);

	ok = unlink("d1/f") == 0 && rmdir("d1/d2/d3") == 0 && rmdir("d1/d2") == 0 && rmdir("d1") == 0;
	if (!ok || access("d1", F_OK) == 0)
		report("rmdir_nested", "%s", errno_name(errno));
	else
		report("rmdir_nested", NULL);
}

static void renames(void)
{
	char why[160];
	int renamed = write_file("r1", "one", 3) == 0 && rename("r1", "r2") == 0;
	int error = errno;
	if (!renamed || access("r1", F_OK) == 0 || !file_holds("r2", "one", 3, why, sizeof why))
		report("rename_file", "%s", renamed ? (access("r1", F_OK) == 0 ? "r1 still there" : why) : errno_name(error));
	else
		report("rename_file", NULL);

	renamed = write_file("r3", "three", 5) == 0 && rename("r2", "r3") == 0;
	error = errno;
	if (!renamed || access("r2", F_OK) == 0 || listed(".", "r3") != 1 || !file_holds("r3", "one", 3, why, sizeof why))
		report("rename_over_existing", "%s", renamed ? why : errno_name(error));
	else
		report("rename_over_existing", NULL);
	unlink("r3");

	/* A directory moved to another parent: its ".." must follow. */
	mkdir("from", 0755);
	mkdir("from/moved", 0755);
	write_file("from/moved/inside", "in", 2);
	mkdir("to", 0755);
	write_file("to/marker", "m", 1);
	renamed = rename("from/moved", "to/moved") == 0;
	error = errno;
	int gone = access("from/moved", F_OK) != 0;
	int kept = file_holds("to/moved/inside", "in", 2, why, sizeof why);
	char cwd[PATH_MAX] = "";
	int up = chdir("to/moved") == 0 && chdir("..") == 0;
	int at_to = up && cwd_is(TEST_DIR "/to", cwd, sizeof cwd);
	int marker = up && access("marker", F_OK) == 0;
	chdir(TEST_DIR);
	if (!renamed || !gone || !kept || !at_to || !marker)
		report("rename_directory_to_other_parent",
		       "rename %s, old name gone %d, contents kept %d, after chdir to/moved and ..: '%s' (expected "
		       "%s/to), marker there %d",
		       renamed ? "ok" : errno_name(error), gone, kept, cwd, TEST_DIR, marker);
	else
		report("rename_directory_to_other_parent", NULL);
	EXPECT_ERROR("rename_directory_into_itself", rename("to", "to/moved/to"), EINVAL);

	unlink("to/moved/inside");
	rmdir("to/moved");
	unlink("to/marker");
	rmdir("to");
	rmdir("from");
}

static void what_fat_cannot_hold(void)
{
	write_file("target", "t", 1);
	EXPECT_ERROR("symlink_eperm", symlink("target", "sym"), EPERM);
	EXPECT_ERROR("link_eperm", link("target", "hard"), EPERM);
	EXPECT_ERROR("colon_in_name_einval", open("a:b", O_CREAT | O_WRONLY, 0644), EINVAL);
	EXPECT_ERROR("star_in_name_einval", mkdir("a*b", 0755), EINVAL);
	/* What a failed check made, so that only that check fails. */
	unlink("sym");
	unlink("hard");
	unlink("a:b");
	rmdir("a*b");
	unlink("target");
}

static void stat_and_times(void)
{
	static char data[3000];
	memset(data, 'x', sizeof data);
	time_t before = time(NULL);
	int made = write_file("timed", data, sizeof data);
	time_t after = time(NULL);
	struct stat st, dir;
	int got = stat("timed", &st) == 0;
	int dir_ok = stat(".", &dir) == 0 && S_ISDIR(dir.st_mode);
	if (made != 0 || !got || !S_ISREG(st.st_mode) || st.st_size != (off_t)sizeof data || !dir_ok)
		report("stat_kind_and_size", "stat %d, regular %d, size %ld (expected %zu), '.' a directory %d", got,
		       got && S_ISREG(st.st_mode), (long)st.st_size, sizeof data, dir_ok);
	else
		report("stat_kind_and_size", NULL);
	/* FAT keeps modification times to 2 s, rounded down. */
	if (!got || st.st_mtime < before - 2 || st.st_mtime > after + 2)
		report("mtime_after_write", "st_mtime %ld, written between %ld and %ld", (long)st.st_mtime, (long)before,
		       (long)after);
	else
		report("mtime_after_write", NULL);

	const time_t set = 1700000001; /* 2023-11-14 22:13:21 UTC, odd on purpose */
	struct timespec times[2] = {{0, UTIME_OMIT}, {set, 0}};
	int changed = utimensat(AT_FDCWD, "timed", times, 0);
	int error = errno;
	got = stat("timed", &st) == 0;
	if (changed != 0 || !got || st.st_mtime < set - 2 || st.st_mtime > set + 2)
		report("utimensat_mtime", "utimensat %s, st_mtime %ld, expected %ld within 2 s",
		       changed ? errno_name(error) : "ok", (long)st.st_mtime, (long)set);
	else
		report("utimensat_mtime", NULL);
	unlink("timed");
}

enum { MANY = 1000 };

/* The index of a name "file-NNNN.dat" of the many-files test, or -1. */
static int many_index(const char *name)
{
	int index, end = 0;
	if (sscanf(name, "file-%4d.dat%n", &index, &end) != 1 || end != 13 || name[end] != 0 || index < 0 ||
	    index >= MANY)
		return -1;
	return index;
}

static void many_files(void)
{
	char path[64];
	int made = 0, error = 0;
	if (mkdir("many", 0755) != 0) {
		report("thousand_files_created", "mkdir many: %s", errno_name(errno));
		return;
	}
	for (int i = 0; i < MANY; i++) {
		snprintf(path, sizeof path, "many/file-%04d.dat", i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			error = errno;
			break;
		}
		made += write(fd, path, 4) == 4;
		close(fd);
	}
	if (made != MANY)
		report("thousand_files_created", "%d of %d made (%s)", made, MANY, error ? errno_name(error) : "short write");
	else
		report("thousand_files_created", NULL);

	static unsigned char seen[MANY];
	memset(seen, 0, sizeof seen);
	int strangers = 0;
	DIR *d = opendir("many");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int index = many_index(e->d_name);
		if (index < 0)
			strangers++;
		else if (seen[index] < 255)
			seen[index]++;
	}
	if (d)
		closedir(d);
	int missing = 0, repeated = 0, first_bad = -1;
	for (int i = 0; i < MANY; i++) {
		missing += seen[i] == 0;
		repeated += seen[i] > 1;
		if (seen[i] != 1 && first_bad < 0)
			first_bad = i;
	}
	if (d == NULL || missing || repeated || strangers)
		report("thousand_files_listed", "%d missing, %d listed more than once (first: file-%04d.dat), %d other names",
		       missing, repeated, first_bad, strangers);
	else
		report("thousand_files_listed", NULL);

	int removed = 0;
	for (int i = 0; i < MANY; i++) {
		snprintf(path, sizeof path, "many/file-%04d.dat", i);
		removed += unlink(path) == 0;
	}
	int gone = rmdir("many") == 0;
	error = errno;
	if (removed != MANY || !gone)
		report("thousand_files_removed", "%d of %d unlinked, rmdir many %s", removed, MANY,
		       gone ? "ok" : errno_name(error));
	else
		report("thousand_files_removed", NULL);
}

enum { WRITERS = 4, RECORDS = 200, RECORD = 32 };

/* Record `k` of writer `w`: 32 bytes, ending in a newline. */
static void append_record(char *out, int w, int k)
{
	char text[RECORD + 1];
	int n = snprintf(text, sizeof text, "writer %d record %03d ", w, k);
	memset(text + n, 'a' + w, RECORD - 1 - n);
	text[RECORD - 1] = '\n';
	memcpy(out, text, RECORD);
}

static void concurrent_appends(void)
{
	if (write_file("appends", "", 0) != 0) {
		report("appends_of_four_processes", "creating appends: %s", errno_name(errno));
		return;
	}
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			int fd = open("appends", O_WRONLY | O_APPEND);
			for (int k = 0; k < RECORDS; k++) {
				char record[RECORD];
				append_record(record, w, k);
				if (fd < 0 || write(fd, record, RECORD) != RECORD)
					_exit(1);
			}
			close(fd);
			_exit(0);
		}
	}
	int failed_writers = 0;
	for (int w = 0; w < WRITERS; w++) {
		int status = -1;
		if (pids[w] < 0 || waitpid(pids[w], &status, 0) != pids[w] || status != 0)
			failed_writers++;
	}

	static char file[WRITERS * RECORDS * RECORD + 1];
	ssize_t size = read_file("appends", file, sizeof file);
	int next[WRITERS] = {0};
	long bad_at = -1;
	for (ssize_t at = 0; size == (ssize_t)sizeof file - 1 && at < size && bad_at < 0; at += RECORD) {
		int w = -1, k = -1;
		char expected[RECORD];
		if (sscanf(file + at, "writer %d record %d", &w, &k) != 2 || w < 0 || w >= WRITERS || k != next[w]) {
			bad_at = at;
			break;
		}
		append_record(expected, w, k);
		if (memcmp(file + at, expected, RECORD) != 0)
			bad_at = at;
		next[w]++;
	}
	if (failed_writers || size != (ssize_t)sizeof file - 1 || bad_at >= 0)
		report("appends_of_four_processes",
		       "%d writers failed, file %zd bytes (expected %d), first bad record at byte %ld: '%.31s'",
		       failed_writers, size, WRITERS * RECORDS * RECORD, bad_at, bad_at >= 0 ? file + bad_at : "");
	else
		report("appends_of_four_processes", NULL);
	unlink("appends");
}

static void unlinked_while_open(void)
{
	static char data[3000], back[3000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)('A' + i % 23);
	int fd = open("ghost", O_CREAT | O_RDWR | O_TRUNC, 0644);
	ssize_t w = write(fd, data, sizeof data);
	int unlinked = unlink("ghost") == 0;
	int name_gone = access("ghost", F_OK) != 0 && errno == ENOENT && listed(".", "ghost") == 0;
	/* A new file of the same name must not take the old one's clusters. */
	int renewed = write_file("ghost", "new file", 8) == 0;
	memset(back, 0, sizeof back);
	ssize_t r = pread(fd, back, sizeof back, 0);
	struct stat st;
	fstat(fd, &st);
	int closed = close(fd) == 0;
	if (fd < 0 || w != (ssize_t)sizeof data || !unlinked || !name_gone || !renewed || r != (ssize_t)sizeof data ||
	    memcmp(back, data, sizeof data) != 0 || st.st_size != (off_t)sizeof data || !closed)
		report("unlinked_file_readable_until_close",
		       "write %zd, unlink %d, name gone %d, new file of that name %d, read back %zd bytes (same %d), "
		       "fstat size %ld, close %d",
		       w, unlinked, name_gone, renewed, r, r > 0 && memcmp(back, data, sizeof data) == 0, (long)st.st_size,
		       closed);
	else
		report("unlinked_file_readable_until_close", NULL);
	unlink("ghost");
}

enum { MIB = 1 << 20, BIG_MIB = 64 };

/* Fills `chunk` (1 MiB) with the deterministic pattern of MiB number `index`. */
static void big_chunk(uint64_t *chunk, int index)
{
	for (size_t i = 0; i < MIB / 8; i++) {
		uint64_t x = (uint64_t)index * (MIB / 8) + i + 0x9e3779b97f4a7c15ull;
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
		chunk[i] = x ^ (x >> 31);
	}
}

static uint64_t checksum(const uint64_t *chunk)
{
	uint64_t sum = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < MIB / 8; i++)
		sum = (sum ^ chunk[i]) * 0x100000001b3ull;
	return sum;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Moves all of `len` bytes with read or write; the bytes moved. */
static size_t transfer(int fd, void *buf, size_t len, int writing)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = writing ? write(fd, (char *)buf + done, len - done) : read(fd, (char *)buf + done, len - done);
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

/* Write and read speeds of a round trip of a big file, in MiB/s. */
struct speeds {
	double write_mib_s, read_mib_s;
};

/* Writes the file `path` of BIG_MIB MiB in 1 MiB chunks, fsyncs and closes
 * it, then reads it back and checks every MiB against its checksum. Only
 * the reads, the writes, fsync and close are timed (not making the data
 * or checking it). Returns 1 with `speeds` set when everything matched;
 * else 0, `why` saying what went wrong. The file is left for the caller
 * to remove, whatever happened. */
static int big_round_trip(const char *path, struct speeds *speeds, char *why, size_t why_len)
{
	static uint64_t chunk[MIB / 8];
	static uint64_t sums[BIG_MIB];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0) {
		snprintf(why, why_len, "creating %s: %s", path, errno_name(errno));
		return 0;
	}
	double write_time = 0, read_time = 0;
	int written = 0, error = 0;
	for (int c = 0; c < BIG_MIB; c++) {
		big_chunk(chunk, c);
		sums[c] = checksum(chunk);
		struct timespec start;
		clock_gettime(CLOCK_MONOTONIC, &start);
		size_t n = transfer(fd, chunk, MIB, 1);
		error = errno;
		write_time += seconds_since(&start);
		if (n != MIB)
			break;
		written++;
	}
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int synced = fsync(fd) == 0;
	int closed = close(fd) == 0;
	write_time += seconds_since(&start);
	if (written != BIG_MIB || !synced || !closed) {
		snprintf(why, why_len, "wrote %d of %d MiB (%s), fsync %d, close %d", written, BIG_MIB, errno_name(error),
			 synced, closed);
		return 0;
	}

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(why, why_len, "opening %s again: %s", path, errno_name(errno));
		return 0;
	}
	struct stat st;
	fstat(fd, &st);
	int matched = 0, first_bad = -1;
	for (int c = 0; c < BIG_MIB; c++) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		size_t n = transfer(fd, chunk, MIB, 0);
		read_time += seconds_since(&start);
		if (n == MIB && checksum(chunk) == sums[c])
			matched++;
		else if (first_bad < 0)
			first_bad = c;
	}
	char extra;
	ssize_t after_end = read(fd, &extra, 1);
	close(fd);
	if (st.st_size != (off_t)BIG_MIB * MIB || matched != BIG_MIB || after_end != 0) {
		snprintf(why, why_len, "size %ld, %d of %d MiB match (first bad: MiB %d), read past the end %zd",
			 (long)st.st_size, matched, BIG_MIB, first_bad, after_end);
		return 0;
	}
	speeds->write_mib_s = BIG_MIB / write_time;
	speeds->read_mib_s = BIG_MIB / read_time;
	return 1;
}

static void big_file(void)
{
	struct speeds speeds;
	char why[160];
	if (!big_round_trip("big", &speeds, why, sizeof why)) {
		report("file_of_64_mib", "%s", why);
		unlink("big");
		return;
	}
	printf("fat: %d MiB write %.1f MiB/s, read %.1f MiB/s\n", BIG_MIB, speeds.write_mib_s, speeds.read_mib_s);
	fflush(stdout);
	report("file_of_64_mib", NULL);
	if (unlink("big") != 0)
		report("file_of_64_mib_removed", "%s", errno_name(errno));
	else
		report("file_of_64_mib_removed", NULL);
}

/* Byte `i` of /persist/data.txt: lines of 100 letters. */
static char persist_byte(size_t i)
{
	return i % 100 == 99 ? '\n' : (char)('a' + (i * 7 + i / 100) % 26);
}

static void leave_persist(void)
{
	static char data[PERSIST_DATA_BYTES];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = persist_byte(i);
	int made = mkdir(PERSIST_DIR, 0755) == 0;
	int fd = made ? open(PERSIST_DATA, O_CREAT | O_EXCL | O_WRONLY, 0644) : -1;
	int written = fd >= 0 && transfer(fd, data, sizeof data, 1) == sizeof data && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	int sub = written && mkdir(PERSIST_SUB, 0755) == 0 &&
		  write_file(PERSIST_LONG, PERSIST_LONG_TEXT, strlen(PERSIST_LONG_TEXT)) == 0 &&
		  mkdir(PERSIST_DIR "/.git", 0755) == 0;
	int error = errno;
	sync();
	if (!sub)
		report("persist_left_for_next_boot", "mkdir %d, data written and fsync'd %d, sub and its file %d: %s", made,
		       written, sub, errno_name(error));
	else
		report("persist_left_for_next_boot", NULL);
}

/* Runs `argv` (a program on the disk); its exit status, with its standard
 * output and error in `out` and `err` (NUL-terminated, cut to fit). */
static int run_program(char *const argv[], char *out, size_t out_len, char *err, size_t err_len)
{
	int o[2], e[2];
	if (pipe(o) != 0 || pipe(e) != 0)
		return -1;
	pid_t child = fork();
	if (child == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	int status = -1;
	waitpid(child, &status, 0);
	ssize_t n = read(o[0], out, out_len - 1);
	out[n > 0 ? n : 0] = 0;
	n = read(e[0], err, err_len - 1);
	err[n > 0 ? n : 0] = 0;
	close(o[0]);
	close(e[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The core utilities in /bin of the disk run: Rust programs read from FAT
 * and executed. */
static void disk_programs(void)
{
	char out[4096], err[512];
	int status = run_program((char *[]){"/bin/echo", "hello", "from", "disk", NULL}, out, sizeof out, err, sizeof err);
	if (status != 0 || strcmp(out, "hello from disk\n") != 0)
		report("bin_echo", "status %d, output '%s' '%s'", status, out, err);
	else
		report("bin_echo", NULL);
	status = run_program((char *[]){"/bin/ls", "/", NULL}, out, sizeof out, err, sizeof err);
	if (status != 0 || strstr(out, "bin\n") == NULL || strstr(out, "sbin\n") == NULL)
		report("bin_ls", "status %d, output '%.200s' '%s'", status, out, err);
	else
		report("bin_ls", NULL);
	status = run_program((char *[]){"/bin/cat", "/nonexistent", NULL}, out, sizeof out, err, sizeof err);
	if (status != 1 || strcmp(err, "cat: /nonexistent: No such file or directory\n") != 0)
		report("bin_cat_error", "status %d, stderr '%s'", status, err);
	else
		report("bin_cat_error", NULL);
	status = run_program((char *[]){"/bin/[", "1", "-lt", "2", "]", NULL}, out, sizeof out, err, sizeof err);
	if (status != 0)
		report("bin_bracket", "status %d, stderr '%s'", status, err);
	else
		report("bin_bracket", NULL);
}

static int write_mode(void)
{
	if (mkdir(TEST_DIR, 0755) != 0 || chdir(TEST_DIR) != 0) {
		report("mkdir_fattest", "%s: %s", TEST_DIR, errno_name(errno));
		return check_status();
	}
	file_io();
	names();
	directories();
	renames();
	what_fat_cannot_hold();
	stat_and_times();
	many_files();
	concurrent_appends();
	unlinked_while_open();
	disk_programs();
	big_file();

	/* Every check removed what it made: /fattest must be empty. */
	chdir("/");
	if (rmdir(TEST_DIR) != 0) {
		int error = errno;
		char left[160] = "";
		DIR *d = opendir(TEST_DIR);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    strlen(left) + strlen(e->d_name) + 2 < sizeof left) {
				strcat(left, " ");
				strcat(left, e->d_name);
			}
		if (d)
			closedir(d);
		report("fattest_removed", "rmdir %s: %s; left:%s", TEST_DIR, errno_name(error), left);
	} else {
		report("fattest_removed", NULL);
	}
	leave_persist();
	return check_status();
}

static int check_mode(void)
{
	static char data[PERSIST_DATA_BYTES];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = persist_byte(i);
	char why[160];
	if (!file_holds(PERSIST_DATA, data, sizeof data, why, sizeof why))
		report("persisted_data", "%s", why);
	else
		report("persisted_data", NULL);
	int seen = listed(PERSIST_SUB, PERSIST_LONG_NAME);
	if (!file_holds(PERSIST_LONG, PERSIST_LONG_TEXT, strlen(PERSIST_LONG_TEXT), why, sizeof why))
		report("persisted_long_name", "%s", why);
	else if (seen != 1)
		report("persisted_long_name", "'%s' listed %d times in %s", PERSIST_LONG_NAME, seen, PERSIST_SUB);
	else
		report("persisted_long_name", NULL);
	EXPECT_ERROR("fattest_gone", access(TEST_DIR, F_OK), ENOENT);

	int removed = unlink(PERSIST_DATA) == 0 && unlink(PERSIST_LONG) == 0 && rmdir(PERSIST_SUB) == 0 &&
		      rmdir(PERSIST_DIR "/.git") == 0 && rmdir(PERSIST_DIR) == 0;
	int error = errno;
	sync();
	if (!removed || access(PERSIST_DIR, F_OK) == 0)
		report("persist_removed", "%s", removed ? "still there" : errno_name(error));
	else
		report("persist_removed", NULL);
	if (check_status() != 0)
		return 1;
	/* All passed: end the boot as a person would, by powering off (fs0
	 * unmounts first; the harness's fsck then judges the disk). */
	write(1, "fat: powering off\n", 18);
	reboot(RB_POWER_OFF);
	report("poweroff", "reboot(RB_POWER_OFF) returned: %s", errno_name(errno));
	return 1;
}

/* "bench <disk>": the speed of the 64 MiB round trip in /benchfat, as
 * "bench: fat_<disk>_write_mib_s <N> MiB/s" and "..._read_mib_s" lines for
 * `cargo tern bench`, printed only when the file read back intact and was
 * removed with its directory; else a "fat: bench: ..." line and status 1. */
static int bench_mode(const char *disk)
{
	if (mkdir(BENCH_DIR, 0755) != 0 || chdir(BENCH_DIR) != 0) {
		printf("fat: bench: %s: %s\n", BENCH_DIR, errno_name(errno));
		return 1;
	}
	struct speeds speeds;
	char why[160];
	int ok = big_round_trip("big", &speeds, why, sizeof why);
	int removed = unlink("big") == 0 && chdir("/") == 0 && rmdir(BENCH_DIR) == 0;
	int error = errno;
	if (!ok) {
		printf("fat: bench: %s\n", why);
		return 1;
	}
	if (!removed) {
		printf("fat: bench: removing %s/big and %s: %s\n", BENCH_DIR, BENCH_DIR, errno_name(error));
		return 1;
	}
	printf("bench: fat_%s_write_mib_s %.1f MiB/s\n", disk, speeds.write_mib_s);
	printf("bench: fat_%s_read_mib_s %.1f MiB/s\n", disk, speeds.read_mib_s);
	return 0;
}

int main(int argc, char **argv)
{
	check_suite = "fat";
	if (chdir("/") != 0) {
		report("chdir_root", "%s", errno_name(errno));
		return check_status();
	}
	if (argc == 2 && strcmp(argv[1], "write") == 0)
		return write_mode();
	if (argc == 2 && strcmp(argv[1], "check") == 0)
		return check_mode();
	if (argc == 3 && strcmp(argv[1], "bench") == 0)
		return bench_mode(argv[2]);
	report("arguments", "expected write, check or bench <disk name>");
	return check_status();
}
