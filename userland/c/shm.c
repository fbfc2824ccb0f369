/* Shared memory: MAP_SHARED anonymous memory across fork, SysV shared
 * memory (shmget, shmat, shmdt, shmctl) and POSIX shared memory
 * (shm_open, shm_unlink over /dev/shm) across fork and between two
 * processes that are not related.
 *
 * Without arguments: the checks within one process tree. With "writer" or
 * "reader": the two halves of the unrelated-processes checks, started
 * separately by the test plan; they meet through the SysV segment with
 * key UNRELATED_KEY, then through the POSIX object UNRELATED_NAME. Prints one "test: shm/<name> ... ok|FAILED" line per
 * check (check.h) and exits with 0 when every check passed. */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define UNRELATED_KEY 0x7e57
#define UNRELATED_NAME "/tern-unrelated"
#define MESSAGE "written by the writer"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static void map_shared(void)
{
	volatile int *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		report("map_shared_across_fork", "mmap failed with errno %d", errno);
		return;
	}
	p[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		p[1] = 42;
		p[1024 + 5] = 43; /* the second page, untouched before the fork */
		_exit(p[0] == 1 ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	if (status != 0 || p[1] != 42 || p[1024 + 5] != 43)
		report("map_shared_across_fork", "status %#x, parent reads %d and %d", status, p[1], p[1024 + 5]);
	else
		report("map_shared_across_fork", NULL);
	/* A private mapping still is private. */
	volatile int *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q[0] = 1;
	pid = fork();
	if (pid == 0) {
		q[0] = 2;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (q[0] != 1)
		report("map_private_stays_private", "the child's write reached the parent");
	else
		report("map_private_stays_private", NULL);
	munmap((void *)p, 2 * 4096);
	munmap((void *)q, 4096);
}

/* A process-shared semaphore in MAP_SHARED memory: futexes meet across
 * processes on shared memory. */
static void shared_semaphore(void)
{
	sem_t *sem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *order = (volatile int *)(sem + 1);
	sem_init(sem, 1, 0);
	*order = 0;
	pid_t pid = fork();
	if (pid == 0) {
		int r = sem_wait(sem);
		_exit(r == 0 && *order == 1 ? 0 : 1);
	}
	sleep_ms(30);
	*order = 1;
	sem_post(sem);
	int status;
	waitpid(pid, &status, 0);
	if (status != 0)
		report("process_shared_semaphore", "the child ended with %#x", status);
	else
		report("process_shared_semaphore", NULL);
	munmap(sem, 4096);
}

static void sysv_basics(void)
{
	int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
	if (id < 0) {
		report("shmget_private", "failed with errno %d", errno);
		return;
	}
	report("shmget_private", NULL);
	char *a = shmat(id, NULL, 0);
	char *b = shmat(id, NULL, 0);
	if (a == (void *)-1 || b == (void *)-1 || a == b) {
		report("shmat_twice_same_memory", "attach failed: errno %d", errno);
		return;
	}
	strcpy(a, "hello");
	if (strcmp(b, "hello") != 0)
		report("shmat_twice_same_memory", "the second attachment reads '%.8s'", b);
	else
		report("shmat_twice_same_memory", NULL);

	char *ro = shmat(id, NULL, SHM_RDONLY);
	if (ro == (void *)-1 || strcmp(ro, "hello") != 0)
		report("shmat_read_only", "errno %d", errno);
	else
		report("shmat_read_only", NULL);
	EXPECT_ERROR("shmat_read_only_stays_read_only", mprotect(ro, 4096, PROT_READ | PROT_WRITE), EACCES);
	shmdt(ro);

	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) != 0 || ds.shm_segsz != 10000 || ds.shm_nattch != 2 || ds.shm_cpid != getpid())
		report("shmctl_stat", "errno %d, size %zu, attached %lu, creator %d", errno, ds.shm_segsz,
		       (unsigned long)ds.shm_nattch, (int)ds.shm_cpid);
	else
		report("shmctl_stat", NULL);

	pid_t pid = fork();
	if (pid == 0) {
		strcpy(a + 100, "from the child");
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (strcmp(b + 100, "from the child") != 0)
		report("segment_survives_fork", "the parent reads '%.16s'", b + 100);
	else
		report("segment_survives_fork", NULL);

	/* Removed, it stays while attached, then disappears. */
	shmctl(id, IPC_RMID, NULL);
	strcpy(a, "still here");
	int still = strcmp(b, "still here") == 0;
	EXPECT_ERROR("shmat_removed", (long)shmat(id, NULL, 0), EINVAL);
	shmdt(a);
	shmdt(b);
	EXPECT_ERROR("removed_segment_gone", shmctl(id, IPC_STAT, &ds), EINVAL);
	if (!still)
		report("removed_segment_usable_until_detached", "writes were lost");
	else
		report("removed_segment_usable_until_detached", NULL);

	EXPECT_ERROR("shmget_missing_key", shmget(0x5151, 4096, 0), ENOENT);
	int k = shmget(0x5152, 4096, IPC_CREAT | 0600);
	EXPECT_ERROR("shmget_exclusive", shmget(0x5152, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	EXPECT_ERROR("shmget_too_big_for_existing", shmget(0x5152, 8192, 0), EINVAL);
	EXPECT_ERROR("shmdt_not_attached", shmdt((void *)0x200000000000UL), EINVAL);
	shmctl(k, IPC_RMID, NULL);
}

/* The writer makes the segment and writes MESSAGE; the reader waits for
 * the key to exist and the message to appear, then tells the writer it
 * read it (byte 0 = 2). */
/* The writer leaves MESSAGE and a 1 in `p`, the reader answers with a 2;
 * whether the handshake completed on this side. */
static int handshake(volatile char *p, int writer)
{
	if (writer) {
		strcpy((char *)p + 1, MESSAGE);
		p[0] = 1;
		for (int tries = 0; tries < 500 && p[0] != 2; tries++)
			sleep_ms(10);
		return p[0] == 2;
	}
	for (int tries = 0; tries < 500 && p[0] != 1; tries++)
		sleep_ms(10);
	int ok = p[0] == 1 && strcmp((char *)p + 1, MESSAGE) == 0;
	p[0] = 2;
	return ok;
}

static void unrelated_sysv(int writer)
{
	const char *name = writer ? "unrelated_writer" : "unrelated_reader";
	int id = -1;
	for (int tries = 0; tries < 500 && id < 0; tries++) {
		id = shmget(UNRELATED_KEY, 4096, writer ? IPC_CREAT | 0600 : 0);
		if (id < 0)
			sleep_ms(10);
	}
	volatile char *p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
	if (p == (void *)-1) {
		report(name, "no segment: errno %d", errno);
		return;
	}
	int ok = handshake(p, writer);
	shmdt((void *)p);
	if (writer)
		shmctl(id, IPC_RMID, NULL);
	report(name, ok ? NULL : "the other side never answered");
}

static void unrelated_posix(int writer)
{
	const char *name = writer ? "posix_unrelated_writer" : "posix_unrelated_reader";
	int fd = -1;
	if (writer) {
		fd = shm_open(UNRELATED_NAME, O_CREAT | O_RDWR, 0600);
		if (fd >= 0 && ftruncate(fd, 4096) != 0)
			fd = -1;
	} else {
		/* Wait for the writer's object, at its full size. */
		struct stat st = {0};
		for (int tries = 0; tries < 500; tries++) {
			fd = shm_open(UNRELATED_NAME, O_RDWR, 0);
			if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 4096)
				break;
			if (fd >= 0)
				close(fd);
			fd = -1;
			sleep_ms(10);
		}
	}
	volatile char *p = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		report(name, "no object: errno %d", errno);
		return;
	}
	int ok = handshake(p, writer);
	munmap((void *)p, 4096);
	close(fd);
	if (writer)
		shm_unlink(UNRELATED_NAME);
	report(name, ok ? NULL : "the other side never answered");
}

static int unrelated(int writer)
{
	unrelated_sysv(writer);
	unrelated_posix(writer);
	return check_status();
}

/* shm_open: an object made by one process, opened by name in a child,
 * whose stores the parent sees; gone from the namespace after
 * shm_unlink while the mapping lives on. */
static void posix_shm(void)
{
	const char *name = "/tern-shm-test";
	shm_unlink(name);
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, 8192) != 0) {
		report("shm_open_create", "%s", strerror(errno));
		return;
	}
	report("shm_open_create", NULL);
	volatile char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		report("shm_open_map", "%s", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int child_fd = shm_open(name, O_RDWR, 0);
		volatile char *q = child_fd < 0 ? MAP_FAILED : mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, child_fd, 0);
		if (q == MAP_FAILED)
			_exit(1);
		q[5000] = 'S';
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || p[5000] != 'S')
		report("shm_open_shared_with_child", "status %#x, byte %#x", status, p[5000]);
	else
		report("shm_open_shared_with_child", NULL);
	EXPECT_ERROR("shm_open_exclusive_exists", shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
	if (shm_unlink(name) != 0)
		report("shm_unlink", "%s", strerror(errno));
	else
		report("shm_unlink", NULL);
	EXPECT_ERROR("shm_open_after_unlink", shm_open(name, O_RDWR, 0), ENOENT);
	EXPECT_ERROR("shm_unlink_missing", shm_unlink(name), ENOENT);
	p[0] = 'L';
	if (p[0] != 'L' || p[5000] != 'S')
		report("mapping_outlives_unlink", "bytes %#x %#x", p[0], p[5000]);
	else
		report("mapping_outlives_unlink", NULL);
	munmap((void *)p, 8192);
	close(fd);
}

int main(int argc, char **argv)
{
	check_suite = "shm";
	if (argc > 1)
		return unrelated(strcmp(argv[1], "writer") == 0);
	map_shared();
	shared_semaphore();
	sysv_basics();
	posix_shm();
	return check_status();
}
