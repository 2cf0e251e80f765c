/* SPDX-License-Identifier: MIT */
/* The exec target: proves it reached main, and what environment it got.
 * Its constructor writes straight to fd 1, so a test sees it run at once:
 * libhold must park the image before it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void early(void)
{
	if (write(1, "target constructor ran\n", 23) < 0)
		_exit(99);
}

int main(int argc, char **argv)
{
	const char *pre = getenv("LD_PRELOAD");

	printf("target main reached pid=%d argc=%d preload=%s rules=%s\n", (int)getpid(), argc,
	       pre && *pre ? "yes" : "no", getenv("HOLD_RULES") ? "yes" : "no");
	return argc > 1 && argv[1][0] == 'x' ? 3 : 0; /* "x": exit 3, to check status */
}
