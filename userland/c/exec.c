/* execve: a new program in the same process with the arguments and
 * environment it was given, what survives (pid, ignored signals, the
 * mask), and the errors that leave the caller running.
 *
 * Without arguments: the checks. With "child PID": the program the checks
 * exec, which verifies what it was given and exits with 0 when all of it
 * is right. Prints one "test: exec/<name> ... ok|FAILED" line per check
 * (check.h) and exits with 0 when every check passed. */
#include <errno.h>
#include <fcntl.h>
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

/* The interpreter side of the script check: argv is the interpreter,
 * the `#!` line's argument, the script's path, then the script's own
 * arguments after its argv[0]; the environment is the script's. */
static int script_child(int argc, char **argv)
{
	const char *want[] = {SELF, "script-mode", "/tmp/exec-script", "one", "two words"};
	if (argc != 5)
		return 10 + argc;
	for (int i = 0; i < 5; i++)
		if (strcmp(argv[i], want[i]) != 0)
			return 20 + i;
	const char *env = getenv("SCRIPT_ENV");
	return env != NULL && strcmp(env, "kept") == 0 ? 0 : 30;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		report("write_test_file", "%s: %s", path, strerror(errno));
	close(fd);
}

/* Runs `path` with `args` and `env` in a child; its wait status. */
static int run_child(const char *path, char **args, char **env)
{
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, args, env);
		_exit(100 + errno);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	return status;
}

static void expect_exit(const char *name, int status, int code)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
		report(name, "status %#x, expected exit %d", status, code);
	else
		report(name, NULL);
}

/* A program from a file rather than a boot module: a minimal static ELF
 * (one PT_LOAD at 0x400000) whose code is exit_group(42). */
static void elf_from_file(void)
{
	static const unsigned char code[] = {
		0xbf, 42, 0, 0, 0,     /* mov edi, 42 */
		0xb8, 231, 0, 0, 0,    /* mov eax, SYS_exit_group */
		0x0f, 0x05,            /* syscall */
	};
	unsigned char elf[64 + 56 + sizeof code] = {0};
	const unsigned long base = 0x400000, entry = base + 64 + 56;
	memcpy(elf, "\177ELF\2\1\1", 7);
	elf[16] = 2;  /* ET_EXEC */
	elf[18] = 62; /* EM_X86_64 */
	elf[20] = 1;  /* EV_CURRENT */
	memcpy(elf + 24, &entry, 8);
	unsigned long phoff = 64;
	memcpy(elf + 32, &phoff, 8);
	elf[52] = 64; /* e_ehsize */
	elf[54] = 56; /* e_phentsize */
	elf[56] = 1;  /* e_phnum */
	unsigned char *ph = elf + 64;
	ph[0] = 1; /* PT_LOAD */
	ph[4] = 5; /* PF_R | PF_X */
	unsigned long size = sizeof elf, align = 0x1000;
	memcpy(ph + 16, &base, 8);  /* p_vaddr */
	memcpy(ph + 24, &base, 8);  /* p_paddr */
	memcpy(ph + 32, &size, 8);  /* p_filesz */
	memcpy(ph + 40, &size, 8);  /* p_memsz */
	memcpy(ph + 48, &align, 8); /* p_align */
	memcpy(elf + 64 + 56, code, sizeof code);
	write_file("/tmp/exit42", elf, sizeof elf, 0755);
	char *args[] = {"exit42", NULL};
	expect_exit("elf_from_file", run_child("/tmp/exit42", args, NULL), 42);
	/* A segment of a terabyte, nearly all .bss: loading costs nothing
	 * for the pages never touched. */
	unsigned long huge = 1UL << 40;
	memcpy(ph + 40, &huge, 8);
	write_file("/tmp/exit42-huge", elf, sizeof elf, 0755);
	expect_exit("huge_bss_loads_lazily", run_child("/tmp/exit42-huge", args, NULL), 42);
	memcpy(ph + 40, &size, 8);
	write_file("/tmp/exit42-noexec", elf, sizeof elf, 0644);
	EXPECT_ERROR("file_without_execute_bit", execv("/tmp/exit42-noexec", args), EACCES);
	/* A truncated ELF is refused and the caller goes on. */
	write_file("/tmp/exit42-short", elf, 40, 0755);
	EXPECT_ERROR("truncated_elf_file", execv("/tmp/exit42-short", args), ENOEXEC);
	/* A program bigger than mm0's heap could hold at once (9 MiB of file
	 * bytes, all loaded): mm0 reads the file a page at a time. */
	enum { BIG = 9 << 20 };
	unsigned char *big = calloc(1, BIG);
	unsigned long big_size = BIG;
	memcpy(big, elf, sizeof elf);
	memcpy(big + 64 + 32, &big_size, 8); /* p_filesz */
	memcpy(big + 64 + 40, &big_size, 8); /* p_memsz */
	big[BIG - 1] = 1;
	write_file("/tmp/exit42-big", big, BIG, 0755);
	free(big);
	expect_exit("big_program_file", run_child("/tmp/exit42-big", args, NULL), 42);
	unlink("/tmp/exit42-big");
}

static void scripts(void)
{
	static const char script[] = "#!" SELF " script-mode\necho not run\n";
	write_file("/tmp/exec-script", script, sizeof script - 1, 0755);
	char *args[] = {"my-script", "one", "two words", NULL};
	char *env[] = {"SCRIPT_ENV=kept", NULL};
	expect_exit("script_runs_its_interpreter", run_child("/tmp/exec-script", args, env), 0);
	static const char text[] = "just some text\n";
	write_file("/tmp/exec-text", text, sizeof text - 1, 0755);
	EXPECT_ERROR("text_without_shebang", execv("/tmp/exec-text", args), ENOEXEC);
	static const char loop[] = "#!/tmp/exec-loop\n";
	write_file("/tmp/exec-loop", loop, sizeof loop - 1, 0755);
	EXPECT_ERROR("script_interpreter_loop", execv("/tmp/exec-loop", args), ELOOP);
	static const char missing[] = "#!/no/such/interpreter\n";
	write_file("/tmp/exec-missing", missing, sizeof missing - 1, 0755);
	EXPECT_ERROR("script_interpreter_missing", execv("/tmp/exec-missing", args), ENOENT);
	EXPECT_ERROR("directory_is_not_a_program", execv("/tmp", args), EACCES);
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
	if (argc > 1 && strcmp(argv[1], "script-mode") == 0)
		return script_child(argc, argv);
	check_suite = "exec";
	errors();
	round_trip();
	other_program();
	elf_from_file();
	scripts();
	return check_status();
}
