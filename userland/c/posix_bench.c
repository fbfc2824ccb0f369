/* The POSIX micro-benchmarks: nanoseconds per operation, measured with
 * CLOCK_MONOTONIC over many repetitions (the median of several runs), and
 * printed as "bench: <name> <value> ns" lines for `cargo tern bench`. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
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
	context_switch();
	measure("posix_mmap_touch_munmap_4k_ns", 1000, op_mmap_touch_munmap);
	long long start = now_ns();
	for (int i = 0; i < 20; i++)
		failed |= op_fault_256_pages();
	printf("bench: posix_page_fault_ns %lld ns\n", (now_ns() - start) / (20 * FAULT_PAGES));
	measure("posix_nanosleep_zero_ns", 1000, op_nanosleep_zero);
	return failed;
}
