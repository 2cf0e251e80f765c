/* SPDX-License-Identifier: MIT */
/* mini-qemu -name NAME - stands in for qemu-system-x86_64 in the demo. */
#include <stdio.h>
#include <string.h>

static int boot(const char *name)
{
	printf("mini-qemu: guest %s booted\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 2 && strcmp(argv[1], "-name") == 0 ? argv[2] : "?";

	return boot(name);
}
