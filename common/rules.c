/* SPDX-License-Identifier: MIT */
/*
 * rules.c - parse and match hold rules; see rules.h (the language is in the
 * README, under "Rules").
 */
#include "glob-step.h"
#include "rules.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <string.h>

static const char *const event_names[HOLD_EV_COUNT_] = {
	[HOLD_EV_FORK] = "fork",
	[HOLD_EV_EXEC] = "exec",
	[HOLD_EV_RECV] = "recv",
	[HOLD_EV_ACCEPT] = "accept",
};

__attribute__((hot)) const char *hold_event_name(enum hold_event ev)
{
	return (unsigned)ev < HOLD_EV_COUNT_ ? event_names[ev] : "?";
}

__attribute__((hot)) const char *hold_mode_name(enum hold_mode m)
{
	return m == HOLD_MODE_STOP ? "stop" : "spin";
}

/* fnmatch(3) without flags, as glob-step.h's machine runs it (the kernel
 * follower runs the same source): it runs in every followed image's
 * constructor, where libc's fnmatch costs two more page faults, and it
 * must be async-signal-safe. */
__attribute__((hot)) int hold_glob(const char *p, const char *s)
{
	struct hold_glob_run g = {0};
	int r;

	while (!(r = hold_glob_step(&g, p, ~0u, s, ~0u)))
		;
	return r > 0;
}

__attribute__((hot)) static const char *find(const char *p, const char *end, char ch)
{
	while (p < end && *p != ch)
		p++;
	return p;
}

/* A cursor over one rule's text; `fail` records the first problem. */
struct cur {
	const char *s, *p, *end;
	struct hold_rule_error *err;
};

__attribute__((hot)) static int fail(struct cur *c, const char *at, const char *problem)
{
	c->err->rule = c->s;
	c->err->len = (size_t)(c->end - c->s);
	c->err->col = (size_t)(at - c->s) + 1;
	c->err->problem = problem;
	return -1;
}

static int copy_glob(struct cur *c, const char *at, const char *v, size_t n, char *dst,
		     const char *what_empty)
{
	if (n == 0)
		return fail(c, at, what_empty);
	if (n >= HOLD_GLOB_MAX)
		return fail(c, at, "pattern too long (at most 199 characters)");
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

__attribute__((hot)) static int parse_count(struct cur *c, const char *v, size_t n, uint32_t *out)
{
	uint64_t x = 0;

	if (n == 0)
		return fail(c, v, "count needs a whole number >= 1, e.g. count=3");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(c, v + i, "count needs a whole number >= 1, e.g. count=3");
		x = x * 10 + (uint64_t)(v[i] - '0');
		if (x > 1000000000u)
			return fail(c, v, "count is too large (at most 1000000000)");
	}
	if (x == 0)
		return fail(c, v,
			    "count=0 would never fire; use count=1 or more, or drop the rule");
	*out = (uint32_t)x;
	return 0;
}

__attribute__((hot)) int hold_parse_secs(const char *v, size_t n, uint64_t *ns, size_t *bad)
{
	uint64_t whole = 0, frac = 0, scale = 1000000000u;
	size_t i = 0;
	int digits = 0;

	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
		whole = whole * 10 + (uint64_t)(v[i] - '0');
		if (whole > HOLD_SECS_MAX)
			return HOLD_SECS_TOO_LARGE;
	}
	if (i < n && v[i] == '.') {
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(v[i] - '0') * scale;
			}
		}
	}
	if (i != n || digits == 0) {
		*bad = i < n ? i : 0;
		return HOLD_SECS_NOT_A_NUMBER;
	}
	*ns = whole * 1000000000u + frac;
	return 0;
}

__attribute__((hot)) static int parse_timeout(struct cur *c, const char *v, size_t n, uint64_t *out)
{
	static const char msg[] = "timeout needs seconds > 0, e.g. timeout=30 or timeout=0.5";
	size_t bad = 0;
	int r = hold_parse_secs(v, n, out, &bad);

	if (r == HOLD_SECS_TOO_LARGE)
		return fail(c, v, "timeout is too large (at most 31536000 seconds)");
	if (r || *out == 0)
		return fail(c, v + bad, msg);
	return 0;
}

#define ADDR_HELP                                                                        \
	"recv and accept need an address: unix:PATH-GLOB (@NAME for an abstract name), " \
	"tcp:PORT, tcp:HOST:PORT, udp:PORT or pipe, e.g. recv:unix:/run/*.sock"

/* PORT: 1..65535, or '*' (any) */
static int parse_port(struct cur *c, const char *v, size_t n, uint16_t *out)
{
	uint32_t x = 0;

	*out = 0;
	if (n == 1 && v[0] == '*')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || (x = x * 10 + (uint32_t)(v[i] - '0')) > 65535)
			return fail(c, v, "a port is a number from 1 to 65535, or *");
	}
	if (n == 0 || x == 0)
		return fail(c, v, "a port is a number from 1 to 65535, or *");
	*out = (uint16_t)x;
	return 0;
}

#define HOST_HELP "a host is an IP address: 127.0.0.1, [::1], or * for any"

/* PORT, *:PORT, IPV4:PORT or [IPV6]:PORT.  Addresses only: a rule is read
 * in every image's constructor, which must not wait for DNS. */
static int parse_hostport(struct cur *c, struct hold_rule *r, const char *v, size_t n)
{
	const char *end = v + n, *port = v;
	char host[64];
	size_t hn;

	if (n && v[0] == '[') {
		const char *close = find(v, end, ']');

		if (close == end || close + 1 == end || close[1] != ':')
			return fail(c, v, "write an IPv6 host in brackets: tcp:[::1]:PORT");
		hn = (size_t)(close - v - 1);
		port = close + 2;
		if (hn >= sizeof(host))
			return fail(c, v, HOST_HELP);
		memcpy(host, v + 1, hn);
		host[hn] = '\0';
		if (inet_pton(AF_INET6, host, r->host) != 1)
			return fail(c, v + 1, HOST_HELP);
		r->has_host = 1;
	} else if (find(v, end, ':') != end) {
		const char *colon = find(v, end, ':');

		hn = (size_t)(colon - v);
		port = colon + 1;
		if (!(hn == 1 && v[0] == '*')) {
			if (hn >= sizeof(host))
				return fail(c, v, HOST_HELP);
			memcpy(host, v, hn);
			host[hn] = '\0';
			/* IPv4 as the kernel shows it to an IPv6 socket */
			memset(r->host, 0, 10);
			r->host[10] = r->host[11] = 0xff;
			if (inet_pton(AF_INET, host, r->host + 12) != 1)
				return fail(c, v, HOST_HELP);
			r->has_host = 1;
		}
	}
	return parse_port(c, port, (size_t)(end - port), &r->port);
}

/* ADDR of recv:ADDR / accept:ADDR: unix[:GLOB], tcp[:[HOST:]PORT],
 * udp[:[HOST:]PORT], pipe.
 * A kind alone means any address of that kind. */
static int parse_addr(struct cur *c, struct hold_rule *r, const char *v, size_t n)
{
	static const struct {
		const char *name;
		enum hold_addr kind;
	} kinds[] = {{"unix", HOLD_ADDR_UNIX},
		     {"tcp", HOLD_ADDR_TCP},
		     {"udp", HOLD_ADDR_UDP},
		     {"pipe", HOLD_ADDR_PIPE}};
	const char *colon = find(v, v + n, ':');
	size_t kn = (size_t)(colon - v), rest = n - kn - (colon < v + n);

	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == kn && memcmp(kinds[i].name, v, kn) == 0)
			r->addr = kinds[i].kind;
	if (r->addr == HOLD_ADDR_NONE)
		return fail(c, v, ADDR_HELP);
	if (colon == v + n)
		return 0;
	if (r->addr == HOLD_ADDR_PIPE)
		return fail(c, colon, "pipe takes no address: write recv:pipe");
	if (r->addr == HOLD_ADDR_UNIX)
		return copy_glob(c, colon + 1, colon + 1, rest, r->pattern,
				 "empty glob after unix:; write unix:GLOB or just unix");
	return parse_hostport(c, r, colon + 1, rest);
}

static int parse_key(struct cur *c, struct hold_rule *r, const char *k, size_t kn, const char *v,
		     size_t vn, unsigned *seen)
{
	static const char *const keys[] = {"mode", "count", "timeout", "comm", "arg", "peer"};
	unsigned which = 0;

	while (which < 6 && !(strlen(keys[which]) == kn && memcmp(keys[which], k, kn) == 0))
		which++;
	if (which == 6)
		return fail(c, k, "unknown key; keys are mode, count, timeout, comm, arg, peer");
	if (*seen & (1u << which))
		return fail(c, k, "key given twice; keep one");
	*seen |= 1u << which;

	switch (which) {
	case 0:
		r->mode_given = 1;
		if (vn == 4 && memcmp(v, "spin", 4) == 0)
			r->mode = HOLD_MODE_SPIN;
		else if (vn == 4 && memcmp(v, "stop", 4) == 0)
			r->mode = HOLD_MODE_STOP;
		else
			return fail(c, v, "mode is spin or stop");
		return 0;
	case 1:
		return parse_count(c, v, vn, &r->count);
	case 2:
		return parse_timeout(c, v, vn, &r->timeout_ns);
	case 3:
		return copy_glob(c, v, v, vn, r->comm, "comm needs a glob, e.g. comm=qemu*");
	case 5:
		if (r->event != HOLD_EV_RECV && r->event != HOLD_EV_ACCEPT)
			return fail(c, k, "peer= narrows recv and accept rules only");
		return copy_glob(c, v, v, vn, r->peer, "peer needs a glob, e.g. peer=psql");
	default:
		if (r->event != HOLD_EV_EXEC && r->event != HOLD_EV_FORK)
			return fail(c, k, "arg= narrows exec and fork rules only");
		return copy_glob(c, v, v, vn, r->arg, "arg needs a glob, e.g. arg=*foo.c");
	}
}

int hold_rule_parse(struct hold_rule *r, const char *s, size_t len, struct hold_rule_error *err)
{
	struct cur c = {.s = s, .p = s, .end = s + len, .err = err};
	const char *ev_end = s;
	unsigned seen = 0;
	size_t evn;

	memset(r, 0, sizeof(*r));
	if (len >= HOLD_RULE_TEXT)
		return fail(&c, s, "rule too long (at most 255 characters)");
	memcpy(r->text, s, len);

	while (ev_end < c.end && *ev_end != ':' && *ev_end != ',')
		ev_end++;
	evn = (size_t)(ev_end - s);
	r->event = HOLD_EV_COUNT_;
	for (unsigned i = 0; i < HOLD_EV_COUNT_; i++)
		if (strlen(event_names[i]) == evn && memcmp(s, event_names[i], evn) == 0)
			r->event = (enum hold_event)i;
	if (r->event == HOLD_EV_COUNT_)
		return fail(&c, s, "unknown event; events are fork, exec, recv and accept");
	c.p = ev_end;

	if (c.p < c.end && *c.p == ':') {
		const char *pat = ++c.p, *pend = find(c.p, c.end, ',');

		if (r->event == HOLD_EV_FORK)
			return fail(&c, pat, "fork takes no pattern; narrow it with comm=GLOB");
		if (r->event != HOLD_EV_EXEC) {
			if (parse_addr(&c, r, pat, (size_t)(pend - pat)) < 0)
				return -1;
		} else if (copy_glob(&c, pat, pat, (size_t)(pend - pat), r->pattern,
				     "empty pattern after ':'; write exec:GLOB or just exec") < 0) {
			return -1;
		}
		c.p = pend;
	} else if (r->event != HOLD_EV_FORK && r->event != HOLD_EV_EXEC) {
		return fail(&c, ev_end, ADDR_HELP);
	}

	while (c.p < c.end) {
		const char *k = ++c.p; /* skip ',' */
		const char *kend = find(k, c.end, ',');
		const char *eq = find(k, kend, '=');

		if (eq == kend)
			return fail(&c, k, "expected key=value after ','");
		if (parse_key(&c, r, k, (size_t)(eq - k), eq + 1, (size_t)(kend - eq - 1), &seen) <
		    0)
			return -1;
		c.p = kend;
	}
	return 0;
}

__attribute__((hot)) static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

unsigned hold_rules_parse(struct hold_ruleset *rs, const char *text, const char *where,
			  hold_rule_err_fn fn, void *ctx)
{
	unsigned refused = 0, line = 1, refused_past_max = 0;
	const char *p = text;

	while (*p) {
		const char *start = p, *end;
		unsigned this_line = line;

		while (*p && *p != ';' && *p != '\n' && *p != '#')
			p++;
		end = p;
		if (*p == '#')
			while (*p && *p != '\n')
				p++;
		if (*p == '\n')
			line++;
		if (*p)
			p++;

		while (start < end && is_space(*start))
			start++;
		while (end > start && is_space(end[-1]))
			end--;
		if (start == end)
			continue;

		struct hold_rule_error err;
		struct hold_rule *r = &rs->rule[rs->n < HOLD_RULES_MAX ? rs->n : 0];

		if (rs->n >= HOLD_RULES_MAX) { /* said once, not once a rule */
			err = (struct hold_rule_error){
				start, (size_t)(end - start), 1,
				"too many rules (at most 32): this one and all after it"};
			if (refused_past_max++) {
				refused++;
				continue;
			}
		} else if (hold_rule_parse(r, start, (size_t)(end - start), &err) == 0) {
			rs->event_mask |= 1u << r->event;
			rs->of_event[r->event] |= 1u << rs->n;
			if (r->comm[0])
				rs->comm_mask |= 1u << r->event;
			rs->n++;
			continue;
		}
		refused++;
		if (fn)
			fn(ctx, where, strchr(text, '\n') ? this_line : 0, &err);
	}
	return refused;
}

__attribute__((hot)) static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

__attribute__((hot)) int hold_glob_path(const char *pattern, const char *path)
{
	return path && (hold_glob(pattern, path) || hold_glob(pattern, base_name(path)));
}

static int any_arg(const char *pattern, char *const *argv)
{
	while (argv && *argv && !hold_glob(pattern, *argv))
		argv++;
	return argv && *argv;
}

__attribute__((hot)) int hold_rule_match_exec(const struct hold_rule *r,
					      const struct hold_exec_facts *f)
{
	if (r->event != HOLD_EV_EXEC)
		return 0;
	if (r->pattern[0] && !hold_glob_path(r->pattern, f->path) &&
	    !hold_glob_path(r->pattern, f->exe))
		return 0;
	if (r->comm[0] && !(f->comm && hold_glob(r->comm, f->comm)))
		return 0;
	return !r->arg[0] || any_arg(r->arg, f->argv);
}

__attribute__((hot)) int hold_rule_match_fork(const struct hold_rule *r, const char *comm,
					      char *const *argv)
{
	if (r->event != HOLD_EV_FORK)
		return 0;
	if (r->comm[0] && !(comm && hold_glob(r->comm, comm)))
		return 0;
	return !r->arg[0] || any_arg(r->arg, argv);
}

static int glob_name(const char *pattern, const char *name)
{
	return name && hold_glob(pattern, name);
}

int hold_rule_match_fd(const struct hold_rule *r, const struct hold_fd_facts *f)
{
	if (!((HOLD_HANDOFF_EVENTS >> r->event) & 1) || r->addr != f->kind)
		return 0;
	switch (f->kind) {
	case HOLD_ADDR_UNIX:
		return !r->pattern[0] || glob_name(r->pattern, f->lname) ||
		       glob_name(r->pattern, f->pname);
	case HOLD_ADDR_TCP:
	case HOLD_ADDR_UDP:
		/* A listening or unconnected socket has no peer yet: the host is
		 * checked on the connection, when it comes (hold_rule_match_host) */
		if (r->has_host && f->pport)
			return hold_rule_match_host(r, f);
		return !r->port || r->port == f->lport || r->port == f->pport;
	default:
		return f->kind == HOLD_ADDR_PIPE;
	}
}

int hold_rule_match_host(const struct hold_rule *r, const struct hold_fd_facts *f)
{
	if (!r->has_host)
		return 1;
	return (memcmp(r->host, f->laddr, 16) == 0 && (!r->port || r->port == f->lport)) ||
	       (memcmp(r->host, f->paddr, 16) == 0 && (!r->port || r->port == f->pport));
}

uint32_t hold_rules_match_fd(const struct hold_ruleset *rs, unsigned events,
			     const struct hold_fd_facts *f)
{
	uint32_t m = 0;

	for (unsigned i = 0; i < rs->n; i++)
		if (((events >> rs->rule[i].event) & 1) && hold_rule_match_fd(&rs->rule[i], f))
			m |= 1u << i;
	return m;
}

uint32_t hold_rules_hash(const struct hold_ruleset *rs)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (unsigned i = 0; i < rs->n; i++)
		for (const char *p = rs->rule[i].text; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}
