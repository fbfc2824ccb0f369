/* Files by path in the in-memory file system: create, read, write, seek,
 * append, truncate, stat, directories and their listing, rename, links,
 * the working directory, modes and the umask, and offsets shared across
 * fork; 1,000 files in one directory; several processes appending;
 * sparse files; statfs and fstatfs of the root (the tmpfs, or FAT in
 * scenario `fat`), /tmp and /proc. (Filling the file system is
 * fork_stress's: it runs alone.)
 *
 * Prints one "test: paths/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void files(void)
{
	int fd = open("/tmp/a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	ssize_t w = write(fd, "hello world", 11);
	char buf[32] = {0};
	lseek(fd, 0, SEEK_SET);
	ssize_t r = read(fd, buf, sizeof buf);
	if (fd < 0 || w != 11 || r != 11 || memcmp(buf, "hello world", 11) != 0)
		report("write_and_read_back", "fd %d, wrote %zd, read %zd", fd, w, r);
	else
		report("write_and_read_back", NULL);
	off_t end = lseek(fd, 0, SEEK_END);
	off_t cur = lseek(fd, -5, SEEK_CUR);
	if (end != 11 || cur != 6)
		report("lseek", "end %ld, cur %ld", (long)end, (long)cur);
	else
		report("lseek", NULL);
	pwrite(fd, "W", 1, 6);
	memset(buf, 0, sizeof buf);
	if (pread(fd, buf, 5, 6) != 5 || strcmp(buf, "World") != 0 || lseek(fd, 0, SEEK_CUR) != 6)
		report("pread_pwrite", "read '%s'", buf);
	else
		report("pread_pwrite", NULL);
	close(fd);

	fd = open("/tmp/a.txt", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "!", 1);
	close(fd);
	struct stat st;
	if (stat("/tmp/a.txt", &st) != 0 || st.st_size != 12 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
		report("o_append_and_stat", "size %ld, mode %o", (long)st.st_size, st.st_mode);
	else
		report("o_append_and_stat", NULL);
	EXPECT_ERROR("o_excl_existing", open("/tmp/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	EXPECT_ERROR("open_missing", open("/tmp/nope", O_RDONLY), ENOENT);
	EXPECT_ERROR("open_missing_dir", open("/tmp/nodir/x", O_CREAT | O_WRONLY, 0644), ENOENT);
	EXPECT_ERROR("open_through_file", open("/tmp/a.txt/x", O_RDONLY), ENOTDIR);
	char longname[300];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	char longpath[320];
	snprintf(longpath, sizeof longpath, "/tmp/%s", longname);
	EXPECT_ERROR("name_too_long", open(longpath, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);

	truncate("/tmp/a.txt", 3);
	stat("/tmp/a.txt", &st);
	fd = open("/tmp/a.txt", O_RDWR);
	ftruncate(fd, 100);
	struct stat st2;
	fstat(fd, &st2);
	close(fd);
	if (st.st_size != 3 || st2.st_size != 100)
		report("truncate", "sizes %ld and %ld", (long)st.st_size, (long)st2.st_size);
	else
		report("truncate", NULL);

	mode_t old = umask(077);
	fd = open("/tmp/private", O_CREAT | O_WRONLY, 0666);
	fstat(fd, &st);
	close(fd);
	umask(old);
	chmod("/tmp/private", 0751);
	stat("/tmp/private", &st2);
	if ((st.st_mode & 0777) != 0600 || (st2.st_mode & 0777) != 0751)
		report("umask_and_chmod", "modes %o and %o", st.st_mode & 0777, st2.st_mode & 0777);
	else
		report("umask_and_chmod", NULL);
	if (access("/tmp/private", X_OK) != 0 || access("/tmp/a.txt", X_OK) == 0 || access("/tmp/none", F_OK) == 0)
		report("access", "wrong answers");
	else
		report("access", NULL);
	unlink("/tmp/private");
	EXPECT_ERROR("unlink_missing", unlink("/tmp/private"), ENOENT);
}

static void directories(void)
{
	if (mkdir("/tmp/d", 0755) != 0 || mkdir("/tmp/d/e", 0755) != 0)
		report("mkdir", "errno %d", errno);
	else
		report("mkdir", NULL);
	EXPECT_ERROR("mkdir_existing", mkdir("/tmp/d", 0755), EEXIST);
	EXPECT_ERROR("rmdir_not_empty", rmdir("/tmp/d"), ENOTEMPTY);
	EXPECT_ERROR("unlink_directory", unlink("/tmp/d/e"), EISDIR);
	close(open("/tmp/d/f", O_CREAT | O_WRONLY, 0644));
	EXPECT_ERROR("rmdir_file", rmdir("/tmp/d/f"), ENOTDIR);
	EXPECT_ERROR("rename_into_itself", rename("/tmp/d", "/tmp/d/e/d"), EINVAL);

	DIR *dir = opendir("/tmp/d");
	int seen = 0, dots = 0;
	struct dirent *e;
	while (dir && (e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			dots++;
		else if ((strcmp(e->d_name, "e") == 0 && e->d_type == DT_DIR) || (strcmp(e->d_name, "f") == 0 && e->d_type == DT_REG))
			seen++;
	}
	if (dir)
		closedir(dir);
	if (seen != 2 || dots != 2)
		report("readdir", "%d entries and %d dots", seen, dots);
	else
		report("readdir", NULL);

	char cwd[PATH_MAX];
	chdir("/tmp/d");
	int rel = open("f", O_RDONLY);
	chdir("e");
	char *got = getcwd(cwd, sizeof cwd);
	int up = access("../f", F_OK);
	chdir("/");
	if (rel < 0 || got == NULL || strcmp(cwd, "/tmp/d/e") != 0 || up != 0)
		report("chdir_getcwd_relative", "cwd '%s', relative open %d", got ? cwd : "(null)", rel);
	else
		report("chdir_getcwd_relative", NULL);
	close(rel);
	int dfd = open("/tmp/d", O_RDONLY | O_DIRECTORY);
	fchdir(dfd);
	getcwd(cwd, sizeof cwd);
	int at = openat(dfd, "f", O_RDONLY);
	chdir("/");
	if (strcmp(cwd, "/tmp/d") != 0 || at < 0)
		report("fchdir_and_openat", "cwd '%s', openat %d", cwd, at);
	else
		report("fchdir_and_openat", NULL);
	close(at);
	close(dfd);
	char *small = getcwd(cwd, 1);
	int error = errno;
	if (small != NULL || error != ERANGE)
		report("getcwd_small_buffer", "returned %p, errno %d", (void *)small, error);
	else
		report("getcwd_small_buffer", NULL);

	rename("/tmp/d/f", "/tmp/d/g");
	rename("/tmp/d/e", "/tmp/e2");
	struct stat st;
	if (stat("/tmp/d/g", &st) != 0 || stat("/tmp/e2", &st) != 0 || !S_ISDIR(st.st_mode) || access("/tmp/d/f", F_OK) == 0)
		report("rename", "errno %d", errno);
	else
		report("rename", NULL);

	symlink("/tmp/d/g", "/tmp/link");
	char target[64] = {0};
	ssize_t n = readlink("/tmp/link", target, sizeof target);
	struct stat ls, fs;
	lstat("/tmp/link", &ls);
	stat("/tmp/link", &fs);
	if (n != 8 || strncmp(target, "/tmp/d/g", 8) != 0 || !S_ISLNK(ls.st_mode) || !S_ISREG(fs.st_mode))
		report("symlink", "readlink %zd '%s'", n, target);
	else
		report("symlink", NULL);
	link("/tmp/d/g", "/tmp/hard");
	stat("/tmp/hard", &st);
	if (st.st_nlink != 2)
		report("hard_link", "nlink %ld", (long)st.st_nlink);
	else
		report("hard_link", NULL);
	unlink("/tmp/hard");
	unlink("/tmp/link");
	unlink("/tmp/d/g");
	rmdir("/tmp/e2");
	if (rmdir("/tmp/d") != 0)
		report("cleanup", "rmdir failed with errno %d", errno);
	else
		report("cleanup", NULL);

	dir = opendir("/dev");
	int devices = 0;
	while (dir && (e = readdir(dir)) != NULL)
		devices += strcmp(e->d_name, "null") == 0 || strcmp(e->d_name, "urandom") == 0;
	if (dir)
		closedir(dir);
	if (devices != 2)
		report("dev_listing", "found %d of null and urandom", devices);
	else
		report("dev_listing", NULL);
}

/* A description's offset is shared across fork. */
static void shared_offset(void)
{
	int fd = open("/tmp/shared", O_CREAT | O_RDWR | O_TRUNC, 0644);
	pid_t pid = fork();
	if (pid == 0) {
		write(fd, "child", 5);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	write(fd, "parent", 6);
	char buf[16] = {0};
	pread(fd, buf, sizeof buf, 0);
	close(fd);
	unlink("/tmp/shared");
	if (strcmp(buf, "childparent") != 0)
		report("offset_shared_across_fork", "file holds '%s'", buf);
	else
		report("offset_shared_across_fork", NULL);
}

static void many_files(void)
{
	mkdir("/tmp/many", 0755);
	char name[64];
	int made = 0;
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "/tmp/many/file-%04d", i);
		int fd = open(name, O_CREAT | O_WRONLY, 0644);
		made += fd >= 0;
		close(fd);
	}
	DIR *dir = opendir("/tmp/many");
	int listed = 0;
	struct dirent *e;
	while (dir && (e = readdir(dir)) != NULL)
		listed += e->d_name[0] == 'f';
	closedir(dir);
	int removed = 0;
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "/tmp/many/file-%04d", i);
		removed += unlink(name) == 0;
	}
	int gone = rmdir("/tmp/many") == 0;
	if (made != 1000 || listed != 1000 || removed != 1000 || !gone)
		report("thousand_files", "made %d, listed %d, removed %d, dir gone %d", made, listed, removed, gone);
	else
		report("thousand_files", NULL);
}

/* The temporary-file idiom: a file unlinked while open keeps its data
 * for the descriptors that have it open (st_nlink 0) until the last one
 * closes; its name is free at once. */
static void unlinked_while_open(void)
{
	int fd = open("/tmp/unlinked", O_CREAT | O_TRUNC | O_RDWR, 0600);
	int ok = fd >= 0 && write(fd, "still here", 10) == 10 && unlink("/tmp/unlinked") == 0;
	struct stat st;
	char buf[16] = {0};
	ok = ok && access("/tmp/unlinked", F_OK) != 0 && errno == ENOENT;
	ok = ok && fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 10;
	ok = ok && pread(fd, buf, sizeof buf, 0) == 10 && memcmp(buf, "still here", 10) == 0;
	ok = ok && write(fd, "!", 1) == 1;
	int again = open("/tmp/unlinked", O_CREAT | O_EXCL | O_RDWR, 0600);
	ok = ok && again >= 0 && fstat(again, &st) == 0 && st.st_size == 0;
	if (!ok)
		report("unlinked_file_lives_while_open", "%s", strerror(errno));
	else
		report("unlinked_file_lives_while_open", NULL);
	close(fd);
	close(again);
	unlink("/tmp/unlinked");
}

/* File times: utimensat sets the modification time (to a given time, to
 * now, or leaves it), futimens does it through a descriptor, and the
 * change time follows. */
static void file_times(void)
{
	int fd = open("/tmp/times", O_CREAT | O_TRUNC | O_RDWR, 0644);
	struct timespec set[2] = {{0, UTIME_OMIT}, {1000000000, 5}};
	struct stat st;
	int ok = fd >= 0 && utimensat(AT_FDCWD, "/tmp/times", set, 0) == 0 && stat("/tmp/times", &st) == 0 &&
		 st.st_mtim.tv_sec == 1000000000 && st.st_mtim.tv_nsec == 5;
	time_t before = time(NULL);
	ok = ok && futimens(fd, NULL) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec >= before &&
	     st.st_ctim.tv_sec >= before;
	struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	time_t kept = st.st_mtim.tv_sec;
	ok = ok && utimensat(AT_FDCWD, "/tmp/times", omit, 0) == 0 && stat("/tmp/times", &st) == 0 &&
	     st.st_mtim.tv_sec == kept;
	if (!ok)
		report("utimensat_sets_mtime", "%s, mtime %ld", strerror(errno), (long)st.st_mtim.tv_sec);
	else
		report("utimensat_sets_mtime", NULL);
	struct timespec bad[2] = {{0, 0}, {0, 2000000000}};
	EXPECT_ERROR("utimensat_bad_nsec", utimensat(AT_FDCWD, "/tmp/times", bad, 0), EINVAL);
	EXPECT_ERROR("utimensat_missing", utimensat(AT_FDCWD, "/tmp/no-such-file", NULL, 0), ENOENT);
	EXPECT_ERROR("utimensat_bad_flags", utimensat(AT_FDCWD, "/tmp/times", NULL, 0x4000), EINVAL);
	close(fd);
	unlink("/tmp/times");
}

/* struct statx as the kernel ABI has it (musl here has no statx()). */
struct statx_time {
	int64_t sec;
	uint32_t nsec;
	int32_t reserved;
};
struct statx_buf {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_time atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};

/* statx says what stat says (Rust's std asks statx first). */
static void statx_call(void)
{
	int fd = open("/tmp/statx", O_CREAT | O_TRUNC | O_RDWR, 0640);
	write(fd, "12345", 5);
	close(fd);
	struct statx_buf sx;
	struct stat st;
	memset(&sx, 0xff, sizeof sx);
	int ok = syscall(SYS_statx, AT_FDCWD, "/tmp/statx", 0, 0x7ff, &sx) == 0 && stat("/tmp/statx", &st) == 0;
	ok = ok && (sx.mask & 0x7ff) == 0x7ff && sx.size == 5 && sx.mode == st.st_mode && sx.ino == st.st_ino &&
	     sx.nlink == 1 && sx.mtime.sec == st.st_mtim.tv_sec && sx.mtime.nsec == (uint32_t)st.st_mtim.tv_nsec;
	if (!ok)
		report("statx_matches_stat", "%s, size %llu mode %o", strerror(errno), (unsigned long long)sx.size, sx.mode);
	else
		report("statx_matches_stat", NULL);
	ok = syscall(SYS_statx, AT_FDCWD, "/dev/null", 0, 0x7ff, &sx) == 0 && sx.rdev_major == 1 && sx.rdev_minor == 3;
	if (!ok)
		report("statx_device_numbers", "%s, %u:%u", strerror(errno), sx.rdev_major, sx.rdev_minor);
	else
		report("statx_device_numbers", NULL);
	EXPECT_ERROR("statx_missing", syscall(SYS_statx, AT_FDCWD, "/tmp/no-such", 0, 0x7ff, &sx), ENOENT);
	EXPECT_ERROR("statx_bad_flags", syscall(SYS_statx, AT_FDCWD, "/tmp/statx", 0x10000, 0x7ff, &sx), EINVAL);
	unlink("/tmp/statx");
}

/* sendfile and copy_file_range copy between descriptors. */
/* Linux's f_type values. */
#define TMPFS_MAGIC 0x01021994
#define MSDOS_SUPER_MAGIC 0x4d44
#define PROC_SUPER_MAGIC 0x9fa0
#define PIPEFS_MAGIC 0x50495045

/* The f_type the root should have, from its line in /proc/mounts (0 if
 * there is none). */
static long root_type(void)
{
	char line[256], point[128], type[32];
	long found = 0;
	FILE *mounts = fopen("/proc/mounts", "r");
	while (mounts && fgets(line, sizeof line, mounts))
		if (sscanf(line, "%*s %127s %31s", point, type) == 2 && strcmp(point, "/") == 0)
			found = strcmp(type, "vfat") == 0    ? MSDOS_SUPER_MAGIC
				: strcmp(type, "tmpfs") == 0 ? TMPFS_MAGIC
							     : 0;
	if (mounts)
		fclose(mounts);
	return found;
}

/* What is wrong with `s`, the figures of a file system of type `type`
 * that has blocks, or NULL. */
static const char *sane_statfs(const struct statfs *s, long type)
{
	static char why[200];
	if ((long)s->f_type != type || s->f_bsize <= 0 || s->f_frsize != s->f_bsize || s->f_blocks == 0 ||
	    s->f_bfree > s->f_blocks || s->f_bavail > s->f_bfree || s->f_ffree > s->f_files || s->f_namelen != 255) {
		snprintf(why, sizeof why,
			 "type %#lx (expected %#lx), bsize %ld, frsize %ld, blocks %llu, bfree %llu, bavail %llu, files "
			 "%llu, ffree %llu, namelen %ld",
			 (long)s->f_type, type, (long)s->f_bsize, (long)s->f_frsize, (unsigned long long)s->f_blocks,
			 (unsigned long long)s->f_bfree, (unsigned long long)s->f_bavail,
			 (unsigned long long)s->f_files, (unsigned long long)s->f_ffree, (long)s->f_namelen);
		return why;
	}
	return NULL;
}

/* Free blocks of directory `dir`'s file system fall by at least the
 * blocks of file `path` (in `dir`) while it is there, and come back when
 * it goes. Other programs write at the same time (the `fat` scenario runs
 * the whole suite on the FAT root), so the check is made again a quarter
 * second later until a quiet moment shows the counts exactly, for up to
 * ten seconds. NULL when it held. */
static const char *space_follows_a_file(const char *dir, const char *path)
{
	static char why[160];
	enum { SIZE = 1 << 20 };
	static char data[SIZE];
	memset(data, 'x', sizeof data);
	for (int attempt = 0; attempt < 40; attempt++) {
		if (attempt > 0)
			usleep(250 * 1000);
		struct statfs before, during, after;
		if (statfs(dir, &before) != 0)
			return "statfs failed";
		int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		ssize_t w = write(fd, data, sizeof data);
		fsync(fd);
		close(fd);
		int stated = statfs(path, &during);
		unlink(path);
		if (w != SIZE || stated != 0 || statfs(dir, &after) != 0)
			return "writing or statfs failed";
		long long blocks = SIZE / before.f_bsize;
		long long taken = (long long)before.f_bfree - (long long)during.f_bfree;
		long long back = (long long)after.f_bfree - (long long)during.f_bfree;
		if (taken >= blocks && back >= blocks)
			return NULL;
		snprintf(why, sizeof why, "a %d-byte file took %lld blocks of %ld bytes and gave back %lld", SIZE, taken,
			 (long)before.f_bsize, back);
	}
	return why;
}

static void statfs_calls(void)
{
	struct statfs root, tmp, proc, f;
	long want = root_type();
	const char *why = statfs("/", &root) != 0 ? "statfs failed"
			  : want == 0		  ? "no / in /proc/mounts"
						  : sane_statfs(&root, want);
	if (why)
		report("statfs_root", "%s (%s)", why, errno_name(errno));
	else
		report("statfs_root", NULL);

	why = statfs("/tmp", &tmp) != 0 ? "statfs failed" : sane_statfs(&tmp, TMPFS_MAGIC);
	if (why == NULL && (tmp.f_bsize != 4096 || tmp.f_files == 0))
		why = "a tmpfs has 4 KiB blocks and room for names";
	if (why)
		report("statfs_tmp", "%s", why);
	else
		report("statfs_tmp", NULL);

	if (statfs("/proc/self/stat", &proc) != 0 || proc.f_type != PROC_SUPER_MAGIC || proc.f_blocks != 0)
		report("statfs_proc", "type %#lx, blocks %llu", (long)proc.f_type, (unsigned long long)proc.f_blocks);
	else
		report("statfs_proc", NULL);

	/* fstatfs agrees with statfs on both file systems; a pipe is pipefs. */
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY), root_dir = open("/", O_RDONLY | O_DIRECTORY), p[2] = {-1, -1};
	int ok = dir >= 0 && fstatfs(dir, &f) == 0 && f.f_type == TMPFS_MAGIC && f.f_blocks == tmp.f_blocks;
	ok = ok && root_dir >= 0 && fstatfs(root_dir, &f) == 0 && f.f_type == root.f_type && f.f_blocks == root.f_blocks;
	ok = ok && pipe(p) == 0 && fstatfs(p[0], &f) == 0 && f.f_type == PIPEFS_MAGIC;
	if (!ok)
		report("fstatfs", "type %#lx (%s)", (long)f.f_type, errno_name(errno));
	else
		report("fstatfs", NULL);
	close(dir);
	close(root_dir);
	close(p[0]);
	close(p[1]);

	why = space_follows_a_file("/", "/statfs-space");
	if (why)
		report("statfs_space_root", "%s", why);
	else
		report("statfs_space_root", NULL);
	why = space_follows_a_file("/tmp", "/tmp/statfs-space");
	if (why)
		report("statfs_space_tmp", "%s", why);
	else
		report("statfs_space_tmp", NULL);

	/* musl's statfs() clears the buffer itself: bad pointers go as raw calls. */
	EXPECT_ERROR("statfs_missing", statfs("/no/such/dir", &f), ENOENT);
	EXPECT_ERROR("statfs_empty_path", statfs("", &f), ENOENT);
	EXPECT_ERROR("statfs_bad_buffer", syscall(SYS_statfs, "/", (void *)8), EFAULT);
	EXPECT_ERROR("statfs_bad_path", syscall(SYS_statfs, (void *)8, &f), EFAULT);
	EXPECT_ERROR("fstatfs_bad_fd", fstatfs(-1, &f), EBADF);
	EXPECT_ERROR("fstatfs_bad_buffer", syscall(SYS_fstatfs, 0, (void *)8), EFAULT);
}

static void copies(void)
{
	int in = open("/tmp/copy-in", O_CREAT | O_TRUNC | O_RDWR, 0644);
	int out = open("/tmp/copy-out", O_CREAT | O_TRUNC | O_RDWR, 0644);
	static char big[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 13);
	write(in, big, sizeof big);
	off_t at = 10;
	ssize_t n = sendfile(out, in, &at, sizeof big);
	static char back[200000];
	ssize_t r = pread(out, back, sizeof back, 0);
	if (n != (ssize_t)sizeof big - 10 || at != (off_t)sizeof big || r != n || memcmp(back, big + 10, n) != 0)
		report("sendfile_file_to_file", "sent %zd, offset %lld, read back %zd", n, (long long)at, r);
	else
		report("sendfile_file_to_file", NULL);
	int p[2];
	pipe(p);
	lseek(in, 0, SEEK_SET);
	n = sendfile(p[1], in, NULL, 100);
	char small[100];
	if (n != 100 || read(p[0], small, 100) != 100 || memcmp(small, big, 100) != 0 || lseek(in, 0, SEEK_CUR) != 100)
		report("sendfile_to_pipe", "sent %zd", n);
	else
		report("sendfile_to_pipe", NULL);
	loff_t from = 1000, to = 0;
	ftruncate(out, 0);
	n = copy_file_range(in, &from, out, &to, 5000, 0);
	r = pread(out, back, 5000, 0);
	if (n != 5000 || from != 6000 || to != 5000 || r != 5000 || memcmp(back, big + 1000, 5000) != 0)
		report("copy_file_range", "copied %zd, offsets %lld %lld", n, (long long)from, (long long)to);
	else
		report("copy_file_range", NULL);
	loff_t a = 0, b = 100;
	EXPECT_ERROR("copy_file_range_overlap", copy_file_range(in, &a, in, &b, 500, 0), EINVAL);
	EXPECT_ERROR("copy_file_range_pipe", copy_file_range(in, NULL, p[1], NULL, 10, 0), EINVAL);
	EXPECT_ERROR("copy_file_range_flags", copy_file_range(in, NULL, out, NULL, 10, 1), EINVAL);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	unlink("/tmp/copy-in");
	unlink("/tmp/copy-out");
}

/* A file with a hole: the hole reads as zeros and costs no space, so a
 * file far bigger than the file system can hold works while sparse. */
static void sparse_file(void)
{
	int fd = open("/tmp/sparse", O_CREAT | O_TRUNC | O_RDWR, 0644);
	char buf[8] = "xxxxxxx";
	off_t far = 100L << 20;
	int ok = pwrite(fd, "end", 3, far) == 3;
	struct stat st;
	ok = ok && fstat(fd, &st) == 0 && st.st_size == far + 3;
	ok = ok && pread(fd, buf, sizeof buf, 12345) == sizeof buf && memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0;
	ok = ok && pread(fd, buf, sizeof buf, far) == 3 && memcmp(buf, "end", 3) == 0;
	if (!ok)
		report("sparse_file_reads_zeros", "%s", strerror(errno));
	else
		report("sparse_file_reads_zeros", NULL);
	close(fd);
	unlink("/tmp/sparse");
}

/* Four processes append 200 records each; none is lost or torn. */
static void appenders(void)
{
	int fd = open("/tmp/log", O_CREAT | O_WRONLY | O_TRUNC | O_APPEND, 0644);
	close(fd);
	for (int p = 0; p < 4; p++) {
		if (fork() == 0) {
			int f = open("/tmp/log", O_WRONLY | O_APPEND);
			char rec[16];
			for (int i = 0; i < 200; i++) {
				snprintf(rec, sizeof rec, "p%d-%03d\n", p, i);
				write(f, rec, strlen(rec));
			}
			_exit(0);
		}
	}
	int status;
	while (wait(&status) > 0)
		;
	struct stat st;
	stat("/tmp/log", &st);
	FILE *f = fopen("/tmp/log", "r");
	char line[32];
	int lines = 0, good = 0;
	int next[4] = {0};
	while (f && fgets(line, sizeof line, f)) {
		int p, i;
		lines++;
		if (sscanf(line, "p%d-%d", &p, &i) == 2 && p >= 0 && p < 4 && i == next[p]) {
			next[p]++;
			good++;
		}
	}
	if (f)
		fclose(f);
	unlink("/tmp/log");
	if (lines != 800 || good != 800 || st.st_size != 800 * 7)
		report("concurrent_appends", "%d lines, %d in order, %ld bytes", lines, good, (long)st.st_size);
	else
		report("concurrent_appends", NULL);
}

/* Unlinking entries while reading the directory (as rm -r does) skips
 * none of them. */
static void remove_while_reading(const char *name, const char *dir)
{
	char path[PATH_MAX];
	mkdir(dir, 0755);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof path, "%s/entry-%03d", dir, i);
		close(open(path, O_CREAT | O_WRONLY, 0644));
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0;
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		removed += unlink(path) == 0;
	}
	if (d)
		closedir(d);
	if (removed != 100 || rmdir(dir) != 0)
		report(name, "%d of 100 removed while reading %s, rmdir: %s", removed, dir, errno_name(errno));
	else
		report(name, NULL);
}

int main(void)
{
	check_suite = "paths";
	remove_while_reading("remove_while_reading_tmp", "/tmp/readloop");
	/* The root: the tmpfs, or FAT in scenario `fat`. */
	remove_while_reading("remove_while_reading_root", "/readloop");
	files();
	directories();
	shared_offset();
	many_files();
	appenders();
	sparse_file();
	unlinked_while_open();
	file_times();
	statx_call();
	statfs_calls();
	copies();
	unlink("/tmp/a.txt");
	return check_status();
}
