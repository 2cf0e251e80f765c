/* SPDX-License-Identifier: MIT */
/* Unit tests for the rule parser and matcher (libhold/rules.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fnmatch.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"

static struct hold_rule r;
static struct hold_rule_error err;

static int parse(const char *s)
{
	return hold_rule_parse(&r, s, strlen(s), &err);
}

/* The rule must fail at 1-based column `col` with a problem containing `what`. */
static void refused(const char *s, size_t col, const char *what)
{
	assert_int_equal(parse(s), -1);
	assert_int_equal(err.col, col);
	assert_non_null(strstr(err.problem, what));
	assert_int_equal(err.len, strlen(s));
}

static void test_fork_plain(void **st)
{
	assert_int_equal(parse("fork"), 0);
	assert_int_equal(r.event, HOLD_EV_FORK);
	assert_int_equal(r.mode, HOLD_MODE_SPIN);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.timeout_ns, 0);
	assert_string_equal(r.text, "fork");
}

static void test_exec_all_keys(void **st)
{
	assert_int_equal(
		parse("exec:*/qemu-system-*,mode=stop,count=2,timeout=1.5,comm=qemu*,arg=-name"),
		0);
	assert_int_equal(r.event, HOLD_EV_EXEC);
	assert_string_equal(r.pattern, "*/qemu-system-*");
	assert_int_equal(r.mode, HOLD_MODE_STOP);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.timeout_ns, 1500000000ull);
	assert_string_equal(r.comm, "qemu*");
	assert_string_equal(r.arg, "-name");
}

static void test_timeout_forms(void **st)
{
	assert_int_equal(parse("fork,timeout=30"), 0);
	assert_int_equal(r.timeout_ns, 30000000000ull);
	assert_int_equal(parse("fork,timeout=0.001"), 0);
	assert_int_equal(r.timeout_ns, 1000000ull);
	assert_int_equal(parse("fork,timeout=.25"), 0);
	assert_int_equal(r.timeout_ns, 250000000ull);
	assert_int_equal(parse("fork,timeout=2."), 0);
	assert_int_equal(r.timeout_ns, 2000000000ull);
	/* digits past nanoseconds are dropped, not rounded into overflow */
	assert_int_equal(parse("fork,timeout=0.0000000019"), 0);
	assert_int_equal(r.timeout_ns, 1ull);
	refused("fork,timeout=0", 14, "seconds > 0");
	refused("fork,timeout=0.0", 14, "seconds > 0");
	refused("fork,timeout=-1", 14, "seconds > 0");
	refused("fork,timeout=1e3", 15, "seconds > 0");
	refused("fork,timeout=.", 14, "seconds > 0");
	refused("fork,timeout=", 14, "seconds > 0");
	refused("fork,timeout=99999999", 14, "too large");
}

static void test_count(void **st)
{
	assert_int_equal(parse("fork,count=1000000000"), 0);
	assert_int_equal(r.count, 1000000000u);
	refused("fork,count=0", 12, "never fire");
	refused("fork,count=3x", 13, "whole number");
	refused("fork,count=", 12, "whole number");
	refused("fork,count=1000000001", 12, "too large");
}

static void test_bad_events_and_shapes(void **st)
{
	refused("forks", 1, "unknown event");
	refused("", 1, "unknown event");
	refused("receive:pipe", 1, "unknown event");
	refused("fork:x", 6, "no pattern");
	refused("exec:", 6, "empty pattern");
	refused("exec:/bin/*,", 13, "key=value");
	refused("exec:/bin/*,mode", 13, "key=value");
	refused("exec,mode=fast", 11, "spin or stop");
	refused("exec,colour=red", 6, "unknown key");
	refused("exec,mode=spin,mode=stop", 16, "twice");
	refused("recv:pipe,arg=*", 11, "exec and fork rules only");
	refused("exec,comm=", 11, "comm needs a glob");
}

static void test_lengths(void **st)
{
	char big[400];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "exec:", 5);
	refused(big, 1, "rule too long");
	memset(big, 'b', 250);
	memcpy(big, "exec:", 5);
	big[250] = '\0';
	refused(big, 6, "pattern too long");
}

static void test_exec_pattern(void **st)
{
	char *argv[] = {"qemu-system-x86_64", "-name", "guest=vm1", NULL};
	struct hold_exec_facts f = {.path = "/usr/bin/qemu-system-x86_64", .argv = argv};

	assert_int_equal(parse("exec:*/qemu-system-*"), 0);
	assert_true(hold_rule_match_exec(&r, &f));
	assert_int_equal(parse("exec:qemu-system-*"), 0); /* basename */
	assert_true(hold_rule_match_exec(&r, &f));
	assert_int_equal(parse("exec:/usr/bin/qemu-system-x86_64"), 0);
	assert_true(hold_rule_match_exec(&r, &f));
	assert_int_equal(parse("exec:*/qemu-img"), 0);
	assert_false(hold_rule_match_exec(&r, &f));
	assert_int_equal(parse("exec"), 0); /* no pattern: every exec */
	assert_true(hold_rule_match_exec(&r, &f));
	assert_false(hold_rule_match_fork(&r, "x", NULL));
}

static void test_exec_exe_fallback(void **st)
{
	/* exec'd by a relative path or through a symlink: the real exe counts */
	char *argv[] = {"vm", NULL};
	struct hold_exec_facts f = {.path = "./vm", .exe = "/opt/q/bin/qemu-kvm", .argv = argv};

	assert_int_equal(parse("exec:*/qemu-kvm"), 0);
	assert_true(hold_rule_match_exec(&r, &f));
	f.exe = NULL;
	assert_false(hold_rule_match_exec(&r, &f));
}

static void test_exec_arg_and_comm(void **st)
{
	char *argv[] = {"cc1", "-quiet", "src/foo.c", NULL};
	struct hold_exec_facts f = {.path = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", .argv = argv};

	assert_int_equal(parse("exec:*/cc1,arg=*foo.c"), 0);
	assert_true(hold_rule_match_exec(&r, &f));
	argv[2] = "src/bar.c";
	assert_false(hold_rule_match_exec(&r, &f));
	f.argv = NULL;
	assert_false(hold_rule_match_exec(&r, &f));

	assert_int_equal(parse("exec,comm=cc*"), 0);
	assert_false(hold_rule_match_exec(&r, &f)); /* comm unknown: no match */
	f.comm = "cc1";
	assert_true(hold_rule_match_exec(&r, &f));
	f.comm = "as";
	assert_false(hold_rule_match_exec(&r, &f));
}

static void test_fork_comm(void **st)
{
	assert_int_equal(parse("fork,comm=python*"), 0);
	assert_true(hold_rule_match_fork(&r, "python3", NULL));
	assert_false(hold_rule_match_fork(&r, "bash", NULL));
	assert_false(hold_rule_match_fork(&r, NULL, NULL));
	assert_int_equal(parse("fork"), 0);
	assert_true(hold_rule_match_fork(&r, NULL, NULL));
}

/* multiprocessing's forkserver: only its forks, not the master's */
static void test_fork_arg(void **st)
{
	char *server[] = {"/usr/bin/python3", "-c",
			  "from multiprocessing.forkserver import main; main(8, 9)", NULL};
	char *master[] = {"/usr/bin/python3", "svc.py", NULL};

	assert_int_equal(parse("fork,arg=*multiprocessing.forkserver*,comm=python*"), 0);
	assert_true(hold_rule_match_fork(&r, "python3", server));
	assert_false(hold_rule_match_fork(&r, "python3", master));
	assert_false(hold_rule_match_fork(&r, "sh", server));
	assert_false(hold_rule_match_fork(&r, "python3", NULL));
	assert_int_equal(parse("fork,comm=python*"), 0);
	assert_true(hold_rule_match_fork(&r, "python3", master));
}

static void test_glob(void **st)
{
	assert_true(hold_glob("*", ""));
	assert_true(hold_glob("*/cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"));
	assert_true(hold_glob("a?c", "abc"));
	assert_true(hold_glob("[ab]x", "bx"));
	assert_false(hold_glob("[ab]x", "cx"));
	assert_false(hold_glob("abc", "abcd"));
	assert_false(hold_glob("", "a"));
	assert_true(hold_glob("", ""));
	assert_true(hold_glob("**a", "a"));
	assert_true(hold_glob("*a*b*c", "xxaybbzc"));
	assert_false(hold_glob("*a*b*c", "xxaybbz"));
	assert_true(hold_glob("q*-x86_64", "qemu-system-x86_64"));
	assert_true(hold_glob("[a-c]z", "bz"));
	assert_false(hold_glob("[a-c]z", "dz"));
	assert_true(hold_glob("[!a-c]z", "dz"));
	assert_false(hold_glob("[!a-c]z", "az"));
	assert_true(hold_glob("[^a]", "b"));
	assert_true(hold_glob("[]]", "]"));
	assert_true(hold_glob("[a-]", "-"));
	assert_true(hold_glob("a[b", "a[b")); /* unclosed: literal */
	assert_true(hold_glob("\\*", "*"));
	assert_false(hold_glob("\\*", "x"));
	assert_true(hold_glob("?", "/"));
}

/* The matcher must agree with fnmatch(3) (no flags) on what users write. */
static void test_glob_vs_fnmatch(void **st)
{
	static const char *const pats[] = {"*",           "*/cc1",  "*qemu*", "q?emu",
					   "[a-z]*.c",    "*.[ch]", "[!x]*",  "a*b?c*",
					   "*/usr/*/bin", "\\?x",   "**",     "a[b"};
	static const char *const strs[] = {
		"",       "/usr/lib/gcc/cc1", "qemu-system", "qqemu", "foo.c", "x.h", "xyz",
		"aXbYcZ", "/usr/local/bin",   "?x",          "a[b",   "cc1",   "ab?c"};

	for (size_t i = 0; i < sizeof(pats) / sizeof(*pats); i++)
		for (size_t j = 0; j < sizeof(strs) / sizeof(*strs); j++)
			assert_int_equal(hold_glob(pats[i], strs[j]),
					 fnmatch(pats[i], strs[j], 0) == 0);
}

struct errs {
	int n;
	char where[64];
	unsigned line;
	size_t col;
	char rule[64];
};

static void test_handoff_addrs(void **st)
{
	assert_int_equal(parse("recv:unix:/run/libvirt/*-sock,count=1,comm=rpc-*"), 0);
	assert_int_equal(r.event, HOLD_EV_RECV);
	assert_int_equal(r.addr, HOLD_ADDR_UNIX);
	assert_string_equal(r.pattern, "/run/libvirt/*-sock");
	assert_string_equal(r.comm, "rpc-*");
	assert_int_equal(parse("accept:unix:@hold-*"), 0);
	assert_int_equal(r.event, HOLD_EV_ACCEPT);
	assert_string_equal(r.pattern, "@hold-*");
	assert_int_equal(parse("recv:unix"), 0);
	assert_int_equal(r.pattern[0], 0);
	assert_int_equal(parse("recv:tcp:8080,mode=stop,timeout=2"), 0);
	assert_int_equal(r.addr, HOLD_ADDR_TCP);
	assert_int_equal(r.port, 8080);
	assert_int_equal(r.mode, HOLD_MODE_STOP);
	assert_int_equal(parse("recv:udp:*"), 0);
	assert_int_equal(r.addr, HOLD_ADDR_UDP);
	assert_int_equal(r.port, 0);
	assert_int_equal(parse("recv:pipe"), 0);
	assert_int_equal(r.addr, HOLD_ADDR_PIPE);
	assert_int_equal(parse("accept:tcp:65535"), 0);
	assert_int_equal(r.port, 65535);
}

static void test_handoff_refused(void **st)
{
	refused("recv", 5, "need an address");
	refused("recv,count=1", 5, "need an address");
	refused("recv:file:/x", 6, "need an address");
	refused("accept:tcpx:1", 8, "need an address");
	refused("recv:tcp:0", 10, "port is a number");
	refused("recv:tcp:65536", 10, "port is a number");
	refused("recv:udp:8o", 10, "port is a number");
	refused("recv:tcp:", 10, "port is a number");
	refused("recv:pipe:/x", 10, "pipe takes no address");
	refused("recv:unix:", 11, "empty glob");
	refused("recv:unix:*,arg=x", 13, "exec and fork rules only");
}

static void test_handoff_match(void **st)
{
	struct hold_fd_facts sp = {
		.kind = HOLD_ADDR_UNIX, .lport = 0, .pport = 0, .lname = "", .pname = ""};
	struct hold_fd_facts srv = {.kind = HOLD_ADDR_UNIX,
				    .lport = 0,
				    .pport = 0,
				    .lname = "/run/x/api.sock",
				    .pname = ""};
	struct hold_fd_facts cli = {.kind = HOLD_ADDR_UNIX,
				    .lport = 0,
				    .pport = 0,
				    .lname = "",
				    .pname = "/run/x/api.sock"};
	struct hold_fd_facts abs = {
		.kind = HOLD_ADDR_UNIX, .lport = 0, .pport = 0, .lname = "@hold-demo", .pname = ""};
	struct hold_fd_facts tcp = {
		.kind = HOLD_ADDR_TCP, .lport = 40000, .pport = 8080, .lname = NULL, .pname = NULL};
	struct hold_fd_facts udp = {
		.kind = HOLD_ADDR_UDP, .lport = 53, .pport = 0, .lname = NULL, .pname = NULL};
	struct hold_fd_facts pipe = {
		.kind = HOLD_ADDR_PIPE, .lport = 0, .pport = 0, .lname = NULL, .pname = NULL};
	struct hold_fd_facts file = {
		.kind = HOLD_ADDR_NONE, .lport = 0, .pport = 0, .lname = NULL, .pname = NULL};

	assert_int_equal(parse("recv:unix:/run/x/*"), 0);
	assert_true(hold_rule_match_fd(&r, &srv));
	assert_true(hold_rule_match_fd(&r, &cli)); /* the peer's name counts too */
	assert_false(hold_rule_match_fd(&r, &sp));
	assert_false(hold_rule_match_fd(&r, &abs));
	assert_false(hold_rule_match_fd(&r, &pipe));
	assert_int_equal(parse("recv:unix"), 0);
	assert_true(hold_rule_match_fd(&r, &sp)); /* socketpair: unnamed */
	assert_true(hold_rule_match_fd(&r, &abs));
	assert_int_equal(parse("recv:unix:@hold-*"), 0);
	assert_true(hold_rule_match_fd(&r, &abs));
	assert_false(hold_rule_match_fd(&r, &srv));
	assert_int_equal(parse("recv:tcp:8080"), 0);
	assert_true(hold_rule_match_fd(&r, &tcp));
	assert_false(hold_rule_match_fd(&r, &udp));
	assert_int_equal(parse("recv:tcp:40000"), 0);
	assert_true(hold_rule_match_fd(&r, &tcp));
	assert_int_equal(parse("recv:tcp:80"), 0);
	assert_false(hold_rule_match_fd(&r, &tcp));
	assert_int_equal(parse("recv:udp"), 0);
	assert_true(hold_rule_match_fd(&r, &udp));
	assert_int_equal(parse("recv:pipe"), 0);
	assert_true(hold_rule_match_fd(&r, &pipe));
	assert_false(hold_rule_match_fd(&r, &file));
	assert_false(hold_rule_match_fd(&r, &sp));
	assert_int_equal(parse("exec:*"), 0);
	assert_false(hold_rule_match_fd(&r, &pipe));
}

/* tcp:HOST:PORT: IPv4 (as the kernel maps it), [IPv6] or *; addresses
 * only; matched at either end with the port; a listener (no peer yet) is
 * judged by its port, the connection later by hold_rule_match_host. */
static void test_handoff_host(void **st)
{
	static const uint8_t lo4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct hold_fd_facts conn = {HOLD_ADDR_TCP, 5432, 40000, NULL, NULL, {0}, {0}};
	struct hold_fd_facts lis = {HOLD_ADDR_TCP, 5432, 0, NULL, NULL, {0}, {0}};

	memcpy(conn.laddr, lo4, 16);
	memcpy(conn.paddr, lo4, 16);
	assert_int_equal(parse("recv:tcp:127.0.0.1:5432"), 0);
	assert_true(r.has_host && memcmp(r.host, lo4, 16) == 0 && r.port == 5432);
	assert_true(hold_rule_match_fd(&r, &conn));
	assert_true(hold_rule_match_fd(&r, &lis)); /* no peer yet: by port */
	assert_true(hold_rule_match_host(&r, &conn));
	assert_int_equal(parse("recv:tcp:127.0.0.2:5432"), 0);
	assert_false(hold_rule_match_fd(&r, &conn));
	assert_false(hold_rule_match_host(&r, &conn));
	assert_int_equal(parse("accept:tcp:[::1]:80,count=1"), 0);
	assert_true(r.has_host && memcmp(r.host, lo6, 16) == 0 && r.port == 80 && r.count == 1);
	assert_false(hold_rule_match_host(&r, &conn));
	assert_int_equal(parse("recv:tcp:*:5432"), 0);
	assert_false(r.has_host);
	assert_true(hold_rule_match_fd(&r, &conn));
	assert_true(hold_rule_match_host(&r, &conn));
	refused("recv:tcp:localhost:80", 10, "a host is an IP address");
	refused("recv:tcp:[::1:80", 10, "IPv6 host in brackets");
	refused("recv:tcp:[nope]:80", 11, "a host is an IP address");
	refused("recv:tcp:1.2.3.4:", 18, "port is a number");
}

/* peer=GLOB narrows recv and accept rules only. */
static void test_handoff_peer(void **st)
{
	assert_int_equal(parse("recv:unix:*/.s.PGSQL.5432,peer=psql,count=1"), 0);
	assert_string_equal(r.peer, "psql");
	assert_string_equal(r.pattern, "*/.s.PGSQL.5432");
	refused("exec:*/x,peer=y", 10, "recv and accept rules only");
	refused("recv:pipe,peer=", 16, "peer needs a glob");
}

static void test_handoff_set(void **st)
{
	struct hold_ruleset rs = {0};
	struct hold_fd_facts pipe = {
		.kind = HOLD_ADDR_PIPE, .lport = 0, .pport = 0, .lname = NULL, .pname = NULL};
	struct hold_fd_facts srv = {
		.kind = HOLD_ADDR_UNIX, .lport = 0, .pport = 0, .lname = "/s", .pname = ""};
	unsigned both = (1u << HOLD_EV_RECV) | (1u << HOLD_EV_ACCEPT);

	assert_int_equal(hold_rules_parse(&rs, "exec:x; recv:pipe; accept:unix:/s; recv:unix",
					  "HOLD_RULES", NULL, NULL),
			 0);
	assert_int_equal(rs.of_event[HOLD_EV_EXEC], 1u);
	assert_int_equal(rs.of_event[HOLD_EV_RECV], 2u | 8u);
	assert_int_equal(rs.of_event[HOLD_EV_ACCEPT], 4u);
	assert_int_equal(hold_rules_match_fd(&rs, both, &pipe), 2u);
	assert_int_equal(hold_rules_match_fd(&rs, both, &srv), 4u | 8u);
	assert_int_equal(hold_rules_match_fd(&rs, 1u << HOLD_EV_RECV, &srv), 8u);
}

static void collect(void *ctx, const char *where, unsigned line, const struct hold_rule_error *e)
{
	struct errs *x = ctx;

	x->n++;
	strncpy(x->where, where, sizeof(x->where) - 1);
	x->line = line;
	x->col = e->col;
	memset(x->rule, 0, sizeof(x->rule));
	memcpy(x->rule, e->rule, e->len < sizeof(x->rule) - 1 ? e->len : sizeof(x->rule) - 1);
}

static void test_list_env(void **st)
{
	struct hold_ruleset rs = {0};
	struct errs x = {0};

	assert_int_equal(hold_rules_parse(&rs, " fork,comm=a ; ;exec:*/b,count=nope; exec:*/c ",
					  "HOLD_RULES", collect, &x),
			 1);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.rule[0].text, "fork,comm=a");
	assert_string_equal(rs.rule[1].pattern, "*/c");
	assert_int_equal(rs.event_mask, (1u << HOLD_EV_FORK) | (1u << HOLD_EV_EXEC));
	assert_int_equal(x.n, 1);
	assert_string_equal(x.where, "HOLD_RULES");
	assert_int_equal(x.line, 0);
	assert_string_equal(x.rule, "exec:*/b,count=nope");
	assert_int_equal(x.col, 16);
}

static void test_list_file(void **st)
{
	struct hold_ruleset rs = {0};
	struct errs x = {0};
	const char *text = "# rules for the demo\n"
			   "exec:*/qemu-*   # the vm\n"
			   "\n"
			   "fork,mode=bogus\n"
			   "fork,count=2\n";

	assert_int_equal(hold_rules_parse(&rs, text, "/etc/hold.rules", collect, &x), 1);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.rule[0].pattern, "*/qemu-*");
	assert_int_equal(rs.rule[1].count, 2);
	assert_int_equal(x.line, 4);
	assert_string_equal(x.rule, "fork,mode=bogus");
}

static void test_list_too_many(void **st)
{
	struct hold_ruleset rs = {0};
	struct errs x = {0};
	char text[2048] = "";

	for (int i = 0; i < HOLD_RULES_MAX + 3; i++)
		strcat(text, "fork;");
	assert_int_equal(hold_rules_parse(&rs, text, "HOLD_RULES", collect, &x), 3);
	assert_int_equal(rs.n, HOLD_RULES_MAX);
	assert_int_equal(x.n, 1); /* one line for all three, not one each */
}

static void test_need_comm(void **st)
{
	struct hold_ruleset rs = {0};

	hold_rules_parse(&rs, "exec,comm=x;fork", "t", NULL, NULL);
	assert_true(hold_rules_need_comm(&rs, HOLD_EV_EXEC));
	assert_false(hold_rules_need_comm(&rs, HOLD_EV_FORK));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_plain),
		cmocka_unit_test(test_exec_all_keys),
		cmocka_unit_test(test_timeout_forms),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_bad_events_and_shapes),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_exec_pattern),
		cmocka_unit_test(test_exec_exe_fallback),
		cmocka_unit_test(test_exec_arg_and_comm),
		cmocka_unit_test(test_fork_arg),
		cmocka_unit_test(test_fork_comm),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_vs_fnmatch),
		cmocka_unit_test(test_list_env),
		cmocka_unit_test(test_list_file),
		cmocka_unit_test(test_list_too_many),
		cmocka_unit_test(test_need_comm),
		cmocka_unit_test(test_handoff_addrs),
		cmocka_unit_test(test_handoff_refused),
		cmocka_unit_test(test_handoff_match),
		cmocka_unit_test(test_handoff_set),
		cmocka_unit_test(test_handoff_host),
		cmocka_unit_test(test_handoff_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
