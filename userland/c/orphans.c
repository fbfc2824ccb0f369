/* Run as init (module line `role=init`): the orphans of the system come
 * to this process. A grandchild whose parent ends sees this process as its
 * parent and is waited for by it; a grandchild that ended before its
 * parent comes as a zombie with its status. (Orphans of other programs
 * running meanwhile come here too: only these children are waited for.)
 *
 * Prints one "test: orphans/<name> ... ok|FAILED" line per check
 * (check.h) and exits with 0 when every check passed. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* A child that forks a grandchild, tells its pid through a pipe and
 * ends; the grandchild runs `grandchild`. Returns the grandchild's pid. */
static pid_t orphan(int (*grandchild)(pid_t init), pid_t *middle)
{
	int p[2];
	pipe(p);
	pid_t init = getpid();
	*middle = fork();
	if (*middle == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(grandchild(init));
		write(p[1], &g, sizeof g);
		/* Let a short-lived grandchild end first (a zombie orphan). */
		sleep_ms(50);
		_exit(0);
	}
	pid_t g = -1;
	read(p[0], &g, sizeof g);
	close(p[0]);
	close(p[1]);
	return g;
}

static int waits_for_init(pid_t init)
{
	for (int i = 0; i < 500 && getppid() != init; i++)
		sleep_ms(10);
	return getppid() == init ? 42 : 1;
}

static int ends_at_once(pid_t init)
{
	(void)init;
	return 7;
}

int main(void)
{
	check_suite = "orphans";
	pid_t middle;
	pid_t g = orphan(waits_for_init, &middle);
	int status = -1;
	waitpid(middle, &status, 0);
	int adopted = -1;
	pid_t got = waitpid(g, &adopted, 0);
	if (got != g || !WIFEXITED(adopted) || WEXITSTATUS(adopted) != 42)
		report("orphan_adopted_by_init", "waitpid %d, status %#x", (int)got, adopted);
	else
		report("orphan_adopted_by_init", NULL);

	g = orphan(ends_at_once, &middle);
	waitpid(middle, &status, 0);
	adopted = -1;
	got = waitpid(g, &adopted, 0);
	if (got != g || !WIFEXITED(adopted) || WEXITSTATUS(adopted) != 7)
		report("zombie_orphan_collected_by_init", "waitpid %d, status %#x", (int)got, adopted);
	else
		report("zombie_orphan_collected_by_init", NULL);

	return check_status();
}
