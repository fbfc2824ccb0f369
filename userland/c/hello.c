/* The smallest POSIX program: proves a static musl C binary starts, writes
 * to stdout and returns an exit status through libposix. */
#include <stdio.h>

int main(void)
{
	printf("hello from musl\n");
	return 3;
}
