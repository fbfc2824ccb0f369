/* execve: a new program in the same process with the arguments and
 * environment it was given, what survives (pid, ignored signals, the
 * mask), and the errors that leave the caller running.
 *
 * Without arguments: the checks. With "child PID": the program the checks
 * exec, which verifies what it was given and exits with 0 when all of it
 * is right. Prints one "test: exec/<name> ... ok|FAILED" line per check
 * (check.h) and exits with 0 when every check passed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define SELF "/bin/exec"
#define ARGS 1000
#define BIG_ENV 65536
/* User-half memory that no program region covers. */
#define UNMAPPED_HOLE ((void *)0x200000000000UL)

static char big_env[BIG_ENV + 8];

static void fill_big_env(void)
{
	memcpy(big_env, "BIG=", 4);
	for (int i = 0; i < BIG_ENV; i++)
		big_env[4 + i] = 'a' + i % 26;
	big_env[4 + BIG_ENV] = 0;
}

/* The exec'd side: arguments, environment, pid and signal state. */
static int child(int argc, char **argv)
{
	char arg[32];
	if (argc != ARGS + 3 || strcmp(argv[0], "exec") != 0)
		return 1;
	for (int i = 0; i < ARGS; i++) {
		snprintf(arg, sizeof arg, "arg-%d", i);
		if (strcmp(argv[3 + i], arg) != 0)
			return 2;
	}
	if (atoi(argv[2]) != getpid())
		return 3;
	fill_big_env();
	const char *big = getenv("BIG");
	if (big == NULL || strcmp(big, big_env + 4) != 0 || strcmp(getenv("TERN_TEST") ? getenv("TERN_TEST") : "", "yes"))
		return 4;
	struct sigaction sa;
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_IGN)
		return 5;
	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		return 6;
	sigset_t mask;
	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (!sigismember(&mask, SIGTERM))
		return 7;
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void round_trip(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		static char *args[ARGS + 4];
		static char storage[ARGS][16];
		char pid_text[16];
		snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
		args[0] = "exec";
		args[1] = "child";
		args[2] = pid_text;
		for (int i = 0; i < ARGS; i++) {
			snprintf(storage[i], sizeof storage[i], "arg-%d", i);
			args[3 + i] = storage[i];
		}
		args[ARGS + 3] = NULL;
		fill_big_env();
		char *env[] = {"TERN_TEST=yes", big_env, NULL};
		signal(SIGUSR2, SIG_IGN);
		struct sigaction sa = {.sa_handler = on_usr1};
		sigaction(SIGUSR1, &sa, NULL);
		sigset_t term;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, NULL);
		execve(SELF, args, env);
		_exit(100 + errno);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		report("large_argv_and_env_round_trip", "the exec'd program ended with %#x", status);
	else
		report("large_argv_and_env_round_trip", NULL);
}

static void other_program(void)
{
	pid_t pid = vfork();
	if (pid == 0) {
		char *args[] = {"hello", NULL};
		execv("/bin/hello", args);
		_exit(100 + errno);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 3)
		report("exec_other_program", "status %#x, expected hello's exit 3", status);
	else
		report("exec_other_program", NULL);
}

static void errors(void)
{
	char *args[] = {"x", NULL};
	EXPECT_ERROR("missing_program", execv("/bin/no-such-program", args), ENOENT);
	EXPECT_ERROR("not_an_executable", execv("/bin/kernel.sym", args), ENOEXEC);
	EXPECT_ERROR("bad_path_pointer", execv(UNMAPPED_HOLE, args), EFAULT);
	EXPECT_ERROR("bad_argv_pointer", execv(SELF, UNMAPPED_HOLE), EFAULT);
	char *bad_string[] = {"x", UNMAPPED_HOLE, NULL};
	EXPECT_ERROR("bad_argument_string", execv(SELF, bad_string), EFAULT);
	static char huge[300 * 1024];
	memset(huge, 'h', sizeof huge - 1);
	char *too_big[] = {"x", huge, NULL};
	EXPECT_ERROR("arguments_too_big", execv(SELF, too_big), E2BIG);
	/* Still here, and still working. */
	if (getpid() <= 0)
		report("caller_survives_failed_exec", "getpid failed");
	else
		report("caller_survives_failed_exec", NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child(argc, argv);
	check_suite = "exec";
	errors();
	round_trip();
	other_program();
	return check_status();
}
