/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the hold CLI: one file per verb (cmd-*.c), each with a
 * descriptor listed in hold.c's table, and the helpers they share
 * (client.c: talking to holdd; cli.c: errors, finding libhold and holdd,
 * output).
 */
#ifndef HOLD_CLI_H
#define HOLD_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "args.h"
#include "park.h"
#include "proto.h"
#include "text.h"

/* Exit codes: 0 done, 1 nothing found or timed out, 2 usage or environment. */
enum { EXIT_DONE = 0, EXIT_NONE = 1, EXIT_USAGE = 2 };

/* A verb: its name, its option grammar (parsed by hold.c before exec is
 * called, so --help and usage errors are the table's) and what it does. */
struct cmd_entry {
	const char *name;
	const char *usage; /* after "hold NAME " */
	const char *help;  /* what it does; --help lists the options from args */
	const char *exits; /* its exit statuses, a line each: hold.1's table, and --help's */
	struct args_spec args;
	int (*exec)(const struct cmd_entry *self, struct args *args);
};

extern const struct cmd_entry cmd_run_entry, cmd_env_entry, cmd_ls_entry, cmd_tree_entry,
	cmd_wait_entry, cmd_attach_entry, cmd_release_entry, cmd_follow_entry, cmd_log_entry,
	cmd_watch_entry;

/* Errors: "hold VERB: ..." on stderr; usage errors add the usage line. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_usage(const struct cmd_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_help(const struct cmd_entry *e);
extern const char *cli_verb;

/* A connection to holdd. */
struct client {
	int fd;
	size_t inlen;
	size_t consumed; /* the message client_next handed out last */
	char in[HOLD_MSG_MAX * 2];
};

/* Connect and say HELLO; -1 if no holdd answers (errno from connect). */
int client_open(struct client *c);
/* ... to the holdd at path, which may also run as uid also_trusted. */
int client_open_at(struct client *c, const char *path, unsigned also_trusted);
void client_close(struct client *c);
int client_send(struct client *c, const char *msg, size_t n);
/* Next message into m (pointing into c->in until the next call): 1, or 0
 * on timeout (ms, -1 = none), or -1 if holdd closed or sent garbage. */
int client_next(struct client *c, struct hold_msg *m, int timeout_ms);
/* client_open, or when no holdd answers, a holdd that reads the journal
 * only (holdd --read-journal) on a socketpair, and "hold VERB: no holdd
 * answers at SOCKET: " + what (a format of the state directory) said on
 * stderr.  0 from holdd, 1 from the journal, or -(exit code), said why. */
int client_open_or_journal(struct client *c, const char *what)
	__attribute__((format(printf, 2, 0)));
/* The error to print when no holdd answers. */
int client_no_daemon(void);

/* Absolute paths of libhold.so and holdd for this hold binary. */
const char *cli_libhold_path(void);
/* holdd-up.c: a holdd answers, joined (OWNER), or a private one started
 * for this process; 0, or -1 (said why).  libhold_reports: libhold in a
 * tree of root's will report to it (warn if users it switches to cannot). */
int cli_holdd_up(int libhold_reports);
/* run-summary.c: the session that names the tree's count file (HOLD_SESSION,
 * set if it was not), NULL if none can be made; and, before hold run execs
 * the program, the watcher that names each rule that never fired once the
 * program has ended. */
const char *run_session(void);
/* The watcher is started before the engine is chosen (so that it is no
 * process of a kernel-followed tree), and told it before the exec: kernel,
 * the follower parks (holdd knows what fired), else libhold (the count
 * file); -1, or not told: it ends without a word. */
void run_summary_start(const char *rules, const char *session);
void run_summary_go(int kernel);

/* remote.c: hold --host HOST (NULL: this machine). */
extern const char *remote_host;
const char *remote_ssh(void);
/* The local shell command (malloc'd) that runs `hold ARGS...` on the host. */
char *remote_command(int argc, char **argv);
/* exec it: the verb's output and exit status are the host's. */
int remote_run(int argc, char **argv);
/* s as one word for sh, appended to f ('it' with each ' as '\\'') */
void cli_shell_quote(FILE *f, const char *s);
/* hold-gdb.py, which hold attach loads into gdb; NULL if not found. */
const char *cli_gdb_script_path(void);
const char *cli_holdd_path(void);
/* Check rules as libhold would parse them; prints libhold's message. */
int cli_rules_ok(const char *rules);

/* Every -r RULE, joined into a ';'-separated HOLD_RULES value; 0 or EXIT_USAGE. */
int cli_collect_rules(const struct cmd_entry *self, const struct args *a, char *rules, size_t cap);

/* kernel.c: ask holdd to park by fork/exec rules from the kernel (WATCH),
 * for any process (pid 0) or pid's tree; flags: HOLD_FL_TREE.  rules NULL:
 * only whether the follower is on.  0: holdd said DONE; else holdd's why,
 * and 1 when its kernel follower is off or cannot do it here (not because a
 * rule is wrong), -1 otherwise. */
struct kernel_cgroup {
	uint64_t id;    /* its directory's inode: the kernel's cgroup id; 0: none */
	uint32_t level; /* its depth below the root */
};
int kernel_watch(struct client *cl, const char *rules, int pid, uint32_t flags,
		 const struct kernel_cgroup *cg, char *why, size_t cap);
/* A cgroup (v2) by its path, as /proc/PID/cgroup says it, or a system
 * unit's name; 0, or -1 with why. */
int kernel_cgroup(const char *name, struct kernel_cgroup *cg, char *why, size_t cap);
/* Keep the WATCH's connection (its rules) until SIGINT, SIGTERM or SIGHUP
 * (1), or until holdd closes it (0): the tree ended, or holdd did. */
int kernel_hold(struct client *cl);

/* cmd-wait.c: connect to holdd, waiting up to secs (0: for ever) for one
 * to answer (hold run may be starting it); 0, or an exit code (said why). */
int open_waiting(struct client *cl, double secs);
/* cmd-wait.c: wait (secs, 0: for ever) for a park whose exe or comm
 * matches glob (NULL: any) that no earlier wait of this user was handed
 * (new_only: that parked after this began); 0 with its pid and tid, or an
 * exit code (said why). */
int wait_park(const char *glob, int new_only, double secs, int *pid, int *tid);

/* Output helpers */
void fmt_held(char *buf, size_t n, uint64_t since_ns);
/* "PID" or "PID/TID" */
int parse_target(const char *s, int *pid, int *tid);
/* An ERROR's text (a static buffer). */
const char *cli_text(const struct hold_msg *m);
/* argv fields from `first` on, joined with spaces, trimmed to width (0: no limit). */
void cli_argv_line(const struct hold_msg *m, unsigned first, char *out, size_t cap, size_t width);

/* What is parked: from holdd, else from the park records (*from_records
 * set).  Rows are malloc'd; the count, or -1 (message printed). */
int cli_parks(struct park **rows, int *from_records);

/* other-users.c: root's view of the parks that users' own holdds hold (a
 * user's hold run starts one in that user's runtime directory, which root's
 * holdd never hears of): their records, each with where it was found. */
struct other_park {
	struct park park;
	char dir[256]; /* the user's runtime directory */
	unsigned uid;  /* its owner */
};
/* Root only (0 for others): the rows (malloc'd) and their count. */
int other_parks(struct other_park **rows);
/* The row of pid (and tid, if not 0), or NULL. */
const struct other_park *other_park_find(const struct other_park *rows, int n, int pid, int tid);
/* Release it: SIGCONT for a stop, else RELEASE through its user's holdd.
 * 0, or -1 (said why). */
int other_park_release(const struct other_park *o);
#endif
