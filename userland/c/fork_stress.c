/* Fork in bulk, alone on the machine (its own scenario, so that no other
 * program's memory use or processes disturb the counts):
 * - 1,000 fork + exit + wait cycles, after which the free memory and the
 *   process count are what they were (sysinfo);
 * - forking without waiting until the process table is full, which fails
 *   with EAGAIN while the system stays responsive; after collecting the
 *   zombies, fork works again.
 *
 * Prints one "test: fork_stress/<name> ... ok|FAILED" line per check
 * (check.h) and exits with 0 when every check passed. */
#include <errno.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define CYCLES 1000
/* More than the process table holds. */
#define TOO_MANY 1000

/* One fork + exit + wait; 0 when the child exited with 0. */
static int cycle(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	int status;
	if (waitpid(pid, &status, 0) != pid || status != 0)
		return -1;
	return 0;
}

static void fork_cycles(void)
{
	struct sysinfo before, after;
	/* Warm up: the stack and heap pages this loop touches get backed. */
	for (int i = 0; i < 10; i++)
		cycle();
	if (sysinfo(&before) != 0) {
		report("fork_cycles_memory", "sysinfo failed with errno %d", errno);
		return;
	}
	int failed = 0;
	for (int i = 0; i < CYCLES; i++)
		failed += cycle() != 0;
	sysinfo(&after);
	if (failed)
		report("fork_cycles", "%d of %d cycles failed", failed, CYCLES);
	else
		report("fork_cycles", NULL);
	if (after.freeram != before.freeram)
		report("fork_cycles_memory", "free memory %lu bytes before, %lu after", before.freeram, after.freeram);
	else if (after.procs != before.procs)
		report("fork_cycles_memory", "%u processes before, %u after", before.procs, after.procs);
	else
		report("fork_cycles_memory", NULL);
}

static void process_limit(void)
{
	struct sysinfo before;
	sysinfo(&before);
	int made = 0, error = 0;
	for (int i = 0; i < TOO_MANY; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(3);
		if (pid < 0) {
			error = errno;
			break;
		}
		made++;
	}
	if (error != EAGAIN)
		report("fork_limit_eagain", "%d forks, then errno %d", made, error);
	else
		report("fork_limit_eagain", NULL);
	/* Still responsive: calls to mm0 work and the zombies are all there. */
	struct sysinfo full;
	if (sysinfo(&full) != 0 || full.procs != before.procs + made)
		report("fork_limit_responsive", "%u processes with %d zombies", full.procs, made);
	else
		report("fork_limit_responsive", NULL);
	int collected = 0, status;
	while (wait(&status) > 0)
		collected += WIFEXITED(status) && WEXITSTATUS(status) == 3;
	if (collected != made)
		report("fork_limit_collect", "collected %d of %d", collected, made);
	else
		report("fork_limit_collect", NULL);
	if (cycle() != 0)
		report("fork_after_limit", "fork failed with errno %d", errno);
	else
		report("fork_after_limit", NULL);
}

int main(void)
{
	check_suite = "fork_stress";
	fork_cycles();
	process_limit();
	return check_status();
}
