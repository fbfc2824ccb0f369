/* Threads: pthread_create and join, mutexes and condition variables under
 * contention, thread-local storage, timed waits, detached threads, signals
 * to one thread, fork and exit from a multi-threaded process.
 *
 * Prints one "test: threads/<name> ... ok|FAILED" line per check (check.h)
 * and exits with 0 when every check passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define THREADS 8
#define ROUNDS 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int finished;
static __thread long own;

static void *worker(void *arg)
{
	long id = (long)arg;
	own = id;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 100 == 0)
			sched_yield();
	}
	pthread_mutex_lock(&lock);
	finished++;
	pthread_cond_signal(&done_cond);
	pthread_mutex_unlock(&lock);
	/* Thread-local: still this thread's value. */
	return (void *)(own == id ? syscall(SYS_gettid) : -1L);
}

static void counters(void)
{
	pthread_t t[THREADS];
	own = 1000;
	for (long i = 0; i < THREADS; i++) {
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
			report("mutex_counters", "pthread_create %ld failed", i);
			return;
		}
	}
	pthread_mutex_lock(&lock);
	while (finished < THREADS)
		pthread_cond_wait(&done_cond, &lock);
	pthread_mutex_unlock(&lock);
	long tids[THREADS];
	int bad = 0;
	for (int i = 0; i < THREADS; i++) {
		void *result;
		pthread_join(t[i], &result);
		tids[i] = (long)result;
		if (tids[i] <= 0 || tids[i] == getpid())
			bad++;
		for (int j = 0; j < i; j++)
			bad += tids[j] == tids[i];
	}
	if (counter != THREADS * ROUNDS)
		report("mutex_counters", "counter %ld, expected %d", counter, THREADS * ROUNDS);
	else if (bad != 0)
		report("mutex_counters", "%d threads had wrong ids or thread-local values", bad);
	else if (own != 1000)
		report("mutex_counters", "the main thread's thread-local value changed");
	else
		report("mutex_counters", NULL);
}

static void timed_wait(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec start, deadline, end;
	clock_gettime(CLOCK_REALTIME, &start);
	deadline = start;
	deadline.tv_nsec += 50 * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	int r = pthread_cond_timedwait(&c, &m, &deadline);
	pthread_mutex_unlock(&m);
	clock_gettime(CLOCK_REALTIME, &end);
	long long waited = (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
	if (r != ETIMEDOUT)
		report("cond_timedwait_times_out", "returned %d", r);
	else if (waited < 45000000LL || waited > 2000000000LL)
		report("cond_timedwait_times_out", "waited %lld ns for 50 ms", waited);
	else
		report("cond_timedwait_times_out", NULL);
}

static volatile int detached_ran;
static void *detached(void *arg)
{
	(void)arg;
	detached_ran = 1;
	return NULL;
}

static void detached_thread(void)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t t;
	int r = pthread_create(&t, &attr, detached, NULL);
	for (int i = 0; i < 1000 && !detached_ran; i++)
		sched_yield();
	/* Let it finish its exit (it unmaps its own stack first). */
	struct timespec ts = {0, 20 * 1000000};
	nanosleep(&ts, NULL);
	if (r != 0 || !detached_ran)
		report("detached_thread", "create returned %d, ran %d", r, (int)detached_ran);
	else
		report("detached_thread", NULL);
}

static volatile long handled_by;
static void note_thread(int sig)
{
	(void)sig;
	handled_by = syscall(SYS_gettid);
}

static volatile int stop_spinning;
static volatile long spinner_tid;
static void *spinner(void *arg)
{
	(void)arg;
	spinner_tid = syscall(SYS_gettid);
	while (!stop_spinning)
		;
	return NULL;
}

/* pthread_kill reaches the one thread it names, even while it runs. */
static void signal_one_thread(void)
{
	struct sigaction sa = {.sa_handler = note_thread};
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	while (spinner_tid == 0)
		sched_yield();
	handled_by = 0;
	pthread_kill(t, SIGUSR1);
	for (int i = 0; i < 10000 && handled_by == 0; i++)
		sched_yield();
	stop_spinning = 1;
	pthread_join(t, NULL);
	if (handled_by != spinner_tid)
		report("pthread_kill_targets_thread", "handled by %ld, target %ld", handled_by, spinner_tid);
	else
		report("pthread_kill_targets_thread", NULL);
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *exit_whole_process(void *arg)
{
	(void)arg;
	exit(7);
}

/* fork copies only the calling thread; exit() in any thread ends the
 * process with its status. */
static void fork_and_exit(void)
{
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(counter == THREADS * ROUNDS ? 4 : 5);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 4)
		report("fork_from_threaded_process", "status %#x", status);
	else
		report("fork_from_threaded_process", NULL);

	pid = fork();
	if (pid == 0) {
		pthread_t e;
		pthread_create(&e, NULL, exit_whole_process, NULL);
		for (;;)
			pause();
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 7)
		report("exit_from_thread", "status %#x", status);
	else
		report("exit_from_thread", NULL);
}

static char worker_saw[16];

static void *rename_self(void *arg)
{
	(void)arg;
	prctl(PR_GET_NAME, worker_saw);
	prctl(PR_SET_NAME, "worker");
	return NULL;
}

/* The process's comm as /proc shows it, without its newline. */
static void proc_comm(char *out, size_t len)
{
	out[0] = 0;
	int fd = open("/proc/self/comm", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, out, len - 1);
	close(fd);
	out[n > 0 ? n : 0] = 0;
	out[strcspn(out, "\n")] = 0;
}

/* prctl's thread names: cut to 15 bytes, inherited by new threads and
 * forked children, each thread's own; /proc/<pid>/comm shows the main
 * thread's. */
static void thread_names(void)
{
	char name[16] = "", comm[32];
	prctl(PR_SET_NAME, "a-long-thread-name");
	prctl(PR_GET_NAME, name);
	proc_comm(comm, sizeof comm);
	if (strcmp(name, "a-long-thread-n") != 0 || strcmp(comm, name) != 0)
		report("prctl_set_get_name", "got '%s', /proc/self/comm '%s'", name, comm);
	else
		report("prctl_set_get_name", NULL);

	pthread_t t;
	pthread_create(&t, NULL, rename_self, NULL);
	pthread_join(t, NULL);
	prctl(PR_GET_NAME, name);
	proc_comm(comm, sizeof comm);
	if (strcmp(worker_saw, "a-long-thread-n") != 0 || strcmp(name, "a-long-thread-n") != 0 || strcmp(comm, name) != 0)
		report("thread_names_are_per_thread", "the thread saw '%s'; then main '%s', comm '%s'", worker_saw, name,
		       comm);
	else
		report("thread_names_are_per_thread", NULL);

	pid_t pid = fork();
	if (pid == 0) {
		char child[16] = "";
		prctl(PR_GET_NAME, child);
		_exit(strcmp(child, "a-long-thread-n") == 0 ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("fork_keeps_thread_name", "status %#x", status);
	else
		report("fork_keeps_thread_name", NULL);
	EXPECT_ERROR("prctl_get_name_bad_buffer", prctl(PR_GET_NAME, (void *)8), EFAULT);
	prctl(PR_SET_NAME, "threads");
}

int main(void)
{
	check_suite = "threads";
	counters();
	timed_wait();
	detached_thread();
	signal_one_thread();
	fork_and_exit();
	thread_names();
	return check_status();
}
