/* SPDX-License-Identifier: MIT */
/*
 * fdclass.c - which recv/accept rules take a file descriptor, worked out
 * once per descriptor and cached, so an interposed read() or recv() costs a
 * table lookup and no system call.
 *
 * The cache is only as good as what tells it a descriptor changed: the
 * interposers of close, dup*, fcntl(F_DUPFD*), socket, socketpair, pipe*,
 * open*, accept*, connect and bind forget the entry (interpose-fd.c).  An
 * fd closed and reused inside libc without those calls can leave a stale
 * entry, so a cached "this rule matches" is checked again, uncached, before
 * anything parks: a stale entry can at worst miss a park, never make a
 * wrong one.
 *
 * Entries are 64 bits: a version (bits 33-63), a known bit (32) and the
 * rule mask (0-31).  Forgetting bumps the version; a thread that worked an
 * entry out stores it only if the version it started from is still there,
 * so a close racing the lookup in another thread is never papered over.
 * Async-signal-safe throughout (raw system calls, mmap'd chunks, atomics):
 * fork children and signal handlers read too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "libhold.h"
#include "paths.h"
#include "sigsafe.h"

#define CHUNK_BITS HOLD_FDC_CHUNK_BITS
#define CHUNK_FDS  (1 << CHUNK_BITS)
#define CHUNKS     HOLD_FDC_CHUNKS /* above, worked out each time */
#define KNOWN      HOLD_FDC_KNOWN
#define VERSION    (1ull << 33)

int hold_fdc_on;   /* any recv/accept rule in this image */
int hold_in_vfork; /* a vfork child runs on our memory: store nothing */

uint64_t *hold_fdc_chunks[CHUNKS];
#define chunks hold_fdc_chunks

/* The entry for fd, making its chunk if `make`; NULL past the table. */
static uint64_t *slot(int fd, int make)
{
	unsigned c = (unsigned)fd >> CHUNK_BITS;
	uint64_t *p, *fresh = NULL;
	long m;

	if (fd < 0 || c >= CHUNKS)
		return NULL;
	p = __atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE);
	if (p || !make || hold_in_vfork)
		return p ? p + (fd & (CHUNK_FDS - 1)) : NULL;
	m = safe_sys6(SYS_mmap, 0, CHUNK_FDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m < 0 && m > -4096)
		return NULL;
	fresh = (uint64_t *)m;
	if (!__atomic_compare_exchange_n(&chunks[c], &p, fresh, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		safe_sys(SYS_munmap, fresh, CHUNK_FDS * sizeof(uint64_t), 0);
		fresh = p; /* another thread made it first */
	}
	return fresh + (fd & (CHUNK_FDS - 1));
}

/* A unix socket's name: "" unnamed, "@name" abstract, else the path. */
static void unix_name(const struct sockaddr_un *a, long alen, char *out, size_t cap)
{
	long n = alen - (long)offsetof(struct sockaddr_un, sun_path);
	size_t o = 0;

	if (n > 0 && a->sun_path[0] == '\0') {
		out[o++] = '@';
		for (long i = 1; i < n && o + 1 < cap; i++)
			out[o++] = a->sun_path[i] ? a->sun_path[i] : '@';
	} else {
		for (long i = 0; i < n && a->sun_path[i] && o + 1 < cap; i++)
			out[o++] = a->sun_path[i];
	}
	out[o] = '\0';
}

/* An address as rules hold it: IPv6, or IPv4 mapped. */
static void inet_addr16(const struct sockaddr_storage *a, uint8_t out[16])
{
	if (a->ss_family == AF_INET) {
		__builtin_memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		__builtin_memcpy(out + 12, &((const struct sockaddr_in *)a)->sin_addr, 4);
	} else if (a->ss_family == AF_INET6) {
		__builtin_memcpy(out, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	}
}

static uint16_t inet_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)a)->sin_port);
	if (a->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	return 0;
}

/* One end's address: getsockname or getpeername; its length, 0 if none. */
static long end_addr(long nr, int fd, struct sockaddr_storage *a)
{
	socklen_t len = sizeof(*a);

	if (safe_sys(nr, fd, a, &len) < 0)
		return 0;
	return (long)len;
}

void hold_fd_facts(int fd, struct hold_fd_info *fi)
{
	struct sockaddr_storage a;
	struct statx sx;
	int dom = 0, type = 0;
	socklen_t ol = sizeof(int);
	long n;

	*fi = (struct hold_fd_info){.f = {.kind = HOLD_ADDR_NONE}};
	fi->f.lname = fi->lname;
	fi->f.pname = fi->pname;
	if (safe_sys6(SYS_statx, fd, (long)"", AT_EMPTY_PATH, STATX_TYPE | STATX_INO, (long)&sx,
		      0) < 0)
		return;
	fi->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	fi->ino = sx.stx_ino;
	if (S_ISFIFO(sx.stx_mode)) {
		fi->f.kind = HOLD_ADDR_PIPE;
		return;
	}
	if (!S_ISSOCK(sx.stx_mode) ||
	    safe_sys6(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, (long)&dom, (long)&ol, 0) < 0 ||
	    safe_sys6(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, (long)&type, (long)&ol, 0) < 0)
		return;
	if (dom == AF_UNIX) {
		fi->f.kind = HOLD_ADDR_UNIX;
		n = end_addr(SYS_getsockname, fd, &a);
		unix_name((struct sockaddr_un *)&a, n, fi->lname, sizeof(fi->lname));
		n = end_addr(SYS_getpeername, fd, &a);
		unix_name((struct sockaddr_un *)&a, n, fi->pname, sizeof(fi->pname));
		if (hold_is_pdb_channel(fi->pname))
			fi->f.kind = HOLD_ADDR_NONE; /* hold's own: never a hand-off */
	} else if ((dom == AF_INET || dom == AF_INET6) &&
		   (type == SOCK_STREAM || type == SOCK_DGRAM)) {
		fi->f.kind = type == SOCK_STREAM ? HOLD_ADDR_TCP : HOLD_ADDR_UDP;
		if (end_addr(SYS_getsockname, fd, &a)) {
			fi->f.lport = inet_port(&a);
			inet_addr16(&a, fi->f.laddr);
		}
		if (end_addr(SYS_getpeername, fd, &a)) {
			fi->f.pport = inet_port(&a);
			inet_addr16(&a, fi->f.paddr);
		}
	}
}

/* Work the entry out now and store it unless it changed meanwhile. */
uint32_t hold_fd_rules_fresh(int fd, struct hold_fd_info *fi)
{
	uint64_t *e = slot(fd, 1), v = e ? __atomic_load_n(e, __ATOMIC_ACQUIRE) : 0;
	uint32_t mask;

	hold_fd_facts(fd, fi);
	mask = hold_rules_match_fd(&hold_g.rules, HOLD_HANDOFF_EVENTS, &fi->f);
	if (e && !hold_in_vfork)
		__atomic_compare_exchange_n(e, &v, (v & ~(VERSION - 1)) | KNOWN | mask, 0,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	return mask;
}

/* Not cached yet (hold_fd_rules_cached() looked): work it out. */
uint32_t hold_fd_rules(int fd)
{
	struct hold_fd_info fi;

	return hold_fd_rules_fresh(fd, &fi);
}

void hold_fd_forget(int fd)
{
	uint64_t *e = slot(fd, 0), v;

	if (!e)
		return;
	v = __atomic_load_n(e, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(e, &v, (v & ~(VERSION - 1)) + VERSION, 0,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

/* close_range/closefrom: every cached fd in [lo, hi]. */
void hold_fd_forget_range(unsigned lo, unsigned hi)
{
	for (unsigned c = lo >> CHUNK_BITS; c < CHUNKS && c <= hi >> CHUNK_BITS; c++) {
		unsigned first = c << CHUNK_BITS, last = first + CHUNK_FDS - 1;

		if (!__atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE))
			continue;
		for (unsigned fd = first < lo ? lo : first; fd <= last && fd <= hi; fd++)
			hold_fd_forget((int)fd);
	}
}
