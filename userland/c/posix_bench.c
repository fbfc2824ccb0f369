/* The POSIX micro-benchmarks: nanoseconds per operation, measured with
 * CLOCK_MONOTONIC over many repetitions (the median of several runs), and
 * printed as "bench: <name> <value> ns" lines for `cargo tern bench`. */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5

/* Set when a benchmark could not run: the program then exits with 1. */
static int failed;
#define PAGE 4096

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int compare(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* The median over RUNS runs of `op` repeated `n` times, per repetition;
 * `op` returns non-zero on failure, which voids the benchmark. */
static void measure(const char *name, int n, int (*op)(void))
{
	long long per_op[RUNS];
	for (int r = 0; r < RUNS; r++) {
		long long start = now_ns();
		for (int i = 0; i < n; i++) {
			if (op() != 0) {
				printf("posix_bench: %s could not run\n", name);
				failed = 1;
				return;
			}
		}
		per_op[r] = (now_ns() - start) / n;
	}
	qsort(per_op, RUNS, sizeof per_op[0], compare);
	printf("bench: %s %lld ns\n", name, per_op[RUNS / 2]);
	fflush(stdout);
}

static int op_getpid(void)
{
	return getpid() <= 0;
}

static int op_fork_exit_wait(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int status;
	return pid < 0 || waitpid(pid, &status, 0) != pid || status != 0;
}

static int op_mmap_touch_munmap(void)
{
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	p[0] = 1;
	return munmap((void *)p, PAGE);
}

/* 256 fresh pages touched once each: the cost per page fault (the mapping
 * calls shared out over the pages). */
#define FAULT_PAGES 256
static int op_fault_256_pages(void)
{
	volatile char *p = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (int i = 0; i < FAULT_PAGES; i++)
		p[i * PAGE] = 1;
	return munmap((void *)p, FAULT_PAGES * PAGE);
}

static int op_fork_execve_wait(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *args[] = {"posix_bench", "exit", NULL};
		execv("/bin/posix_bench", args);
		_exit(127);
	}
	int status;
	return pid < 0 || waitpid(pid, &status, 0) != pid || status != 0;
}

static void *nothing(void *arg)
{
	return arg;
}

static int op_pthread_create_join(void)
{
	pthread_t t;
	void *result;
	return pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, &result) != 0;
}

static int op_sysv_shm_cycle(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		return 1;
	volatile char *p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		return 1;
	p[0] = 1;
	return shmdt((void *)p) != 0 || shmctl(id, IPC_RMID, NULL) != 0;
}

/* Two processes hand a turn back and forth through process-shared
 * semaphores in shared memory: each round trip is two switches. */
#define SWITCH_ROUNDS 2000
static void context_switch(void)
{
	sem_t *sems = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sems == MAP_FAILED) {
		failed = 1;
		return;
	}
	sem_init(&sems[0], 1, 0);
	sem_init(&sems[1], 1, 0);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < SWITCH_ROUNDS; i++) {
			sem_wait(&sems[0]);
			sem_post(&sems[1]);
		}
		_exit(0);
	}
	long long start = now_ns();
	for (int i = 0; i < SWITCH_ROUNDS; i++) {
		sem_post(&sems[0]);
		sem_wait(&sems[1]);
	}
	long long elapsed = now_ns() - start;
	int status;
	waitpid(pid, &status, 0);
	failed |= status != 0;
	printf("bench: posix_context_switch_ns %lld ns\n", elapsed / (2 * SWITCH_ROUNDS));
	munmap(sems, 4096);
}

static int op_nanosleep_zero(void)
{
	struct timespec zero = {0, 0};
	return nanosleep(&zero, NULL);
}

/* One POSIX shared memory cycle: create, size, map, touch, unmap, close,
 * unlink. */
static int op_shm_open_cycle(void)
{
	int fd = shm_open("/tern-bench", O_CREAT | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, PAGE) != 0)
		return 1;
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	p[0] = 1;
	int bad = munmap((void *)p, PAGE) != 0;
	bad |= close(fd) != 0;
	return bad | (shm_unlink("/tern-bench") != 0);
}

#define BENCH_FILE "/tmp/bench-file"

static int op_open_close(void)
{
	int fd = open(BENCH_FILE, O_RDONLY);
	return fd < 0 || close(fd) != 0;
}

static int op_stat(void)
{
	struct stat st;
	return stat(BENCH_FILE, &st) != 0;
}

static int op_create_write_close_unlink(void)
{
	static char block[4096];
	int fd = open("/tmp/bench-new", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	int bad = write(fd, block, sizeof block) != (ssize_t)sizeof block;
	bad |= close(fd) != 0;
	return bad | (unlink("/tmp/bench-new") != 0);
}

/* A byte sent to a child through one pipe and back through another. */
#define PIPE_ROUNDS 2000
static void pipe_round_trip(void)
{
	int there[2], back[2];
	if (pipe(there) != 0 || pipe(back) != 0) {
		failed = 1;
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		for (int i = 0; i < PIPE_ROUNDS; i++)
			if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	char c = 'x';
	long long start = now_ns();
	for (int i = 0; i < PIPE_ROUNDS; i++)
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			failed = 1;
	long long elapsed = now_ns() - start;
	int status;
	waitpid(pid, &status, 0);
	failed |= status != 0;
	close(there[0]);
	close(there[1]);
	close(back[0]);
	close(back[1]);
	printf("bench: posix_pipe_round_trip_ns %lld ns\n", elapsed / PIPE_ROUNDS);
}

/* Sequential write then read of a tmpfs file in 64 KiB calls, in MiB/s. */
#define STREAM_BYTES (8 << 20)
static void tmpfs_throughput(void)
{
	static char chunk[64 * 1024];
	memset(chunk, 'b', sizeof chunk);
	int fd = open("/tmp/bench-stream", O_CREAT | O_RDWR | O_TRUNC, 0644);
	long long start = now_ns();
	for (int done = 0; done < STREAM_BYTES; done += sizeof chunk)
		failed |= write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk;
	long long wrote = now_ns() - start;
	start = now_ns();
	for (int done = 0; done < STREAM_BYTES; done += sizeof chunk)
		failed |= pread(fd, chunk, sizeof chunk, done) != (ssize_t)sizeof chunk;
	long long read_ns = now_ns() - start;
	close(fd);
	unlink("/tmp/bench-stream");
	long long mib = STREAM_BYTES >> 20;
	printf("bench: posix_tmpfs_write_mib_s %lld MiB/s\n", mib * 1000000000LL / (wrote ? wrote : 1));
	printf("bench: posix_tmpfs_read_mib_s %lld MiB/s\n", mib * 1000000000LL / (read_ns ? read_ns : 1));
}

static void file_benches(void)
{
	int fd = open(BENCH_FILE, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || close(fd) != 0) {
		failed = 1;
		return;
	}
	measure("posix_open_close_ns", 1000, op_open_close);
	measure("posix_stat_ns", 1000, op_stat);
	measure("posix_create_write_4k_close_unlink_ns", 300, op_create_write_close_unlink);
	unlink(BENCH_FILE);
	pipe_round_trip();
	tmpfs_throughput();
}

int main(int argc, char **argv)
{
	/* What the fork+execve benchmark runs. */
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 0;
	measure("posix_getpid_ns", 10000, op_getpid);
	measure("posix_fork_exit_wait_ns", 100, op_fork_exit_wait);
	measure("posix_fork_execve_wait_ns", 50, op_fork_execve_wait);
	measure("posix_pthread_create_join_ns", 200, op_pthread_create_join);
	measure("posix_sysv_shm_cycle_ns", 200, op_sysv_shm_cycle);
	measure("posix_shm_open_cycle_ns", 200, op_shm_open_cycle);
	context_switch();
	measure("posix_mmap_touch_munmap_4k_ns", 1000, op_mmap_touch_munmap);
	long long start = now_ns();
	for (int i = 0; i < 20; i++)
		failed |= op_fault_256_pages();
	printf("bench: posix_page_fault_ns %lld ns\n", (now_ns() - start) / (20 * FAULT_PAGES));
	measure("posix_nanosleep_zero_ns", 1000, op_nanosleep_zero);
	file_benches();
	return failed;
}
