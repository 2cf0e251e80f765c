/*
 * asf.h - async-signal-safe primitives for libhold.
 *
 * Everything here may run in a freshly forked child of a multi-threaded
 * parent, in a vfork child (which shares its parent's memory) or in the park
 * loop.  So: raw system calls that leave errno alone (a vfork child's errno is
 * its parent's), fixed caller-owned buffers, no malloc, no stdio, no locks.
 */
#ifndef HOLD_ASF_H
#define HOLD_ASF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

/* A raw system call: returns the kernel's value, -errno on failure. */
long asf_sys6(long nr, long a, long b, long c, long d, long e, long f);
#define asf_sys(nr, a, b, c) asf_sys6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* An append-only text buffer over caller-owned storage.  Overflow truncates
 * and sets `full`; it never writes past `cap`. */
struct asf_buf {
	char *p;
	size_t len, cap;
	int full;
};

void asf_init(struct asf_buf *b, char *mem, size_t cap);
void asf_str(struct asf_buf *b, const char *s);
void asf_mem(struct asf_buf *b, const char *s, size_t n);
void asf_chr(struct asf_buf *b, char c);
void asf_u64(struct asf_buf *b, uint64_t v);
void asf_i64(struct asf_buf *b, int64_t v);
/* Seconds with `digits` decimals, from nanoseconds. */
void asf_secs(struct asf_buf *b, uint64_t ns, int digits);
/* NUL-terminates (truncating one byte if needed) and returns the string. */
const char *asf_cstr(struct asf_buf *b);

size_t asf_strlen(const char *s);
int asf_startswith(const char *s, const char *prefix);

/* write(2) all of it, retrying on EINTR and short writes. */
int asf_write_all(int fd, const char *s, size_t n);
/* Read a whole small file (e.g. /proc/self/cmdline); returns bytes or -errno. */
long asf_read_file(const char *path, char *buf, size_t cap);

uint64_t asf_now_ns(int clock);
void asf_sleep_ns(uint64_t ns);
int asf_getpid(void);
int asf_gettid(void);

#endif
