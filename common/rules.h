/* SPDX-License-Identifier: MIT */
/*
 * rules.h - the rule language: parse and match, nothing else.
 *
 *   EVENT[:PATTERN][,key=value...]
 *
 * A pure module: no globals, no I/O, no allocation (rules live in fixed
 * arrays), so it is unit-tested on its own and can be read by the CLI too.
 */
#ifndef HOLD_RULES_H
#define HOLD_RULES_H

#include <stddef.h>
#include <stdint.h>

#define HOLD_RULES_MAX 32
#define HOLD_RULE_TEXT 256
#define HOLD_GLOB_MAX  200

enum hold_event { HOLD_EV_FORK, HOLD_EV_EXEC, HOLD_EV_RECV, HOLD_EV_ACCEPT, HOLD_EV_COUNT_ };

/* What a recv/accept rule's address names (and what a file descriptor is). */
enum hold_addr {
	HOLD_ADDR_NONE, /* a file, tty, eventfd...: never a hand-off */
	HOLD_ADDR_UNIX,
	HOLD_ADDR_TCP,
	HOLD_ADDR_UDP,
	HOLD_ADDR_PIPE, /* pipes and FIFOs */
};

#define HOLD_HANDOFF_EVENTS ((1u << HOLD_EV_RECV) | (1u << HOLD_EV_ACCEPT))

enum hold_mode {
	HOLD_MODE_SPIN,
	HOLD_MODE_STOP,
};

struct hold_rule {
	enum hold_event event;
	enum hold_mode mode;
	uint8_t mode_given;          /* mode= was written (spin: only libhold can) */
	uint32_t count;              /* fire this many times; 0 = no limit */
	uint64_t timeout_ns;         /* release by itself after; 0 = never */
	enum hold_addr addr;         /* recv/accept: what kind of fd */
	uint16_t port;               /* tcp/udp: local or peer port; 0 = any */
	uint8_t has_host;            /* tcp/udp: host is an address to match */
	uint8_t host[16];            /* tcp/udp: IPv6, or IPv4 mapped (::ffff:a.b.c.d) */
	char pattern[HOLD_GLOB_MAX]; /* exec: glob on path or basename; unix: on the
					local or peer name ("@name": abstract); "" = any */
	char comm[HOLD_GLOB_MAX];    /* "" = any */
	char arg[HOLD_GLOB_MAX];     /* exec: an element of the new argv; fork: of the
					forking image's argv as it started; "" = any */
	char peer[HOLD_GLOB_MAX];    /* recv/accept: the sender's comm or exe; "" = any */
	char text[HOLD_RULE_TEXT];   /* as written, for messages and records */
};

struct hold_ruleset {
	unsigned n;
	unsigned event_mask;               /* 1 << enum hold_event, for a one-branch "any?" */
	unsigned comm_mask;                /* 1 << event for events with a comm= rule */
	uint32_t of_event[HOLD_EV_COUNT_]; /* 1 << rule index, by event */
	struct hold_rule rule[HOLD_RULES_MAX];
};

/* Why one rule was refused: `col` is 1-based within the rule's text. */
struct hold_rule_error {
	const char *rule; /* the rule's text (not NUL-terminated: use len) */
	size_t len;
	size_t col;
	const char *problem;
};

/* Called once per refused rule; `where` is the source handed to parse
 * ("HOLD_RULES", a file name) and `line` its 1-based line (0: none). */
typedef void (*hold_rule_err_fn)(void *ctx, const char *where, unsigned line,
				 const struct hold_rule_error *err);

/* Parse one rule from s[0..len).  0 on success, else -1 with *err filled. */
int hold_rule_parse(struct hold_rule *r, const char *s, size_t len, struct hold_rule_error *err);

/* Parse `text`: rules separated by ';' or newlines; '#' starts a comment
 * that runs to the end of the line.  Good rules are appended to rs; each bad
 * one is reported through `fn` and skipped.  Returns the number refused. */
unsigned hold_rules_parse(struct hold_ruleset *rs, const char *text, const char *where,
			  hold_rule_err_fn fn, void *ctx);

const char *hold_event_name(enum hold_event ev);
const char *hold_mode_name(enum hold_mode m);

/* Glob match as fnmatch(3) without FNM_PATHNAME: `*` crosses '/'. */
int hold_glob(const char *pattern, const char *s);
/* ... on a path or on its last component; a NULL path matches nothing. */
int hold_glob_path(const char *pattern, const char *path);

/* The facts of an exec, as the new image sees them. */
struct hold_exec_facts {
	const char *path; /* as passed to exec (AT_EXECFN) */
	const char *exe;  /* /proc/self/exe, or NULL if not read */
	const char *comm; /* NULL if no rule needs it */
	char *const *argv;
};

int hold_rule_match_exec(const struct hold_rule *r, const struct hold_exec_facts *f);
/* argv: the forking image's, NULL-terminated (NULL: not looked up). */
int hold_rule_match_fork(const struct hold_rule *r, const char *comm, char *const *argv);

/* What a file descriptor is, as a recv/accept rule sees it. */
struct hold_fd_facts {
	enum hold_addr kind;
	uint16_t lport, pport; /* tcp/udp: local and peer port (0: none) */
	const char *lname;     /* unix: local and peer name, "" when unnamed */
	const char *pname;
	uint8_t laddr[16], paddr[16]; /* tcp/udp: local and peer address, as rule host */
};

/* Does recv/accept rule r take this fd?  (Not comm=: a thread can rename
 * itself, so the caller checks that at the time of the call.) */
int hold_rule_match_fd(const struct hold_rule *r, const struct hold_fd_facts *f);
/* A rule's host (tcp:HOST:PORT): does the connection f -- for accept, the
 * accepted one -- have it, with the port, at either end?  1 without one. */
int hold_rule_match_host(const struct hold_rule *r, const struct hold_fd_facts *f);
/* The rules (bit i: rule i) of event mask `events` that take this fd. */
uint32_t hold_rules_match_fd(const struct hold_ruleset *rs, unsigned events,
			     const struct hold_fd_facts *f);
/* Does any rule of this event need the process name?  (Saves a syscall.) */
static inline int hold_rules_need_comm(const struct hold_ruleset *rs, enum hold_event ev)
{
	return (rs->comm_mask >> ev) & 1;
}

/* count=: take one firing of rule r, counted in *used (which a tree may
 * share: atomic); 0 when its count is spent.  Every firing is counted, so
 * that *used says whether the rule ever matched. */
static inline int hold_rule_take(const struct hold_rule *r, uint32_t *used)
{
	uint32_t before = __atomic_fetch_add(used, 1, __ATOMIC_RELAXED);

	return !r->count || before < r->count;
}

/* Is rule r's count= spent already? */
static inline int hold_rule_spent(const struct hold_rule *r, const uint32_t *used)
{
	return r->count && __atomic_load_n(used, __ATOMIC_RELAXED) >= r->count;
}

/* Seconds as hold reads them everywhere (a rule's timeout=, --timeout):
 * SECS with an optional fraction (30, 0.5, 2.25), no sign, no exponent,
 * parsed by hand so that the locale's decimal point cannot change their
 * meaning, at most HOLD_SECS_MAX (a year); into nanoseconds.  0, or
 * (*bad: the offset of the first character not read): */
#define HOLD_SECS_MAX          31536000u
#define HOLD_SECS_NOT_A_NUMBER 1
#define HOLD_SECS_TOO_LARGE    2
int hold_parse_secs(const char *v, size_t n, uint64_t *ns,
		    size_t *bad); /* *bad: where it stopped */

/* The rules' texts, hashed (FNV-1a): part of the name of the file in which
 * a tree counts each rule's firings (RUNTIME_DIR/count-SESSION-HASH), so
 * that trees with other rules never share one. */
uint32_t hold_rules_hash(const struct hold_ruleset *rs);

#endif
