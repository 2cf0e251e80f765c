/* SPDX-License-Identifier: MIT */
/*
 * remote.c - hold --host HOST VERB ...: the verb runs on HOST, over the
 * user's own ssh (their config, keys and ControlMaster): hold ls, wait,
 * tree, release... print there and exit with the remote status.  attach
 * is the exception: gdb runs here, against gdbserver --multi on HOST
 * through the ssh pipe, so sources and symbols stay on this machine.
 *
 *   HOLD_SSH     the ssh command (default: ssh), e.g. "ssh -F ~/.ssh/lab"
 *   HOLD_REMOTE  the remote hold command (default: hold)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *remote_host;

const char *remote_ssh(void)
{
	const char *s = getenv("HOLD_SSH");

	return s && *s ? s : "ssh";
}

static const char *remote_hold(void)
{
	const char *s = getenv("HOLD_REMOTE");

	return s && *s ? s : "hold";
}

/* The local shell command that runs `hold ARGS...` on the host. */
char *remote_command(int argc, char **argv)
{
	char *cmd = NULL, *remote = NULL;
	size_t n = 0, rn = 0;
	FILE *r = open_memstream(&remote, &rn), *c;

	/* the remote shell splits HOLD_REMOTE (it may be "env X=1 hold") */
	fputs(remote_hold(), r);
	for (int i = 0; i < argc; i++) {
		fputc(' ', r);
		cli_shell_quote(r, argv[i]);
	}
	fclose(r);
	c = open_memstream(&cmd, &n);
	fprintf(c, "%s -T ", remote_ssh());
	cli_shell_quote(c, remote_host);
	fputs(" -- ", c);
	cli_shell_quote(c, remote);
	fclose(c);
	free(remote);
	return cmd;
}

int remote_run(int argc, char **argv)
{
	char *cmd = remote_command(argc, argv);

	fflush(stdout);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	return cli_fail(EXIT_USAGE, "cannot run /bin/sh: %s", strerror(errno));
}
