/*
 * sigsafe.h - async-signal-safe primitives for libhold (the safe_ functions).
 *
 * Everything here may run in a freshly forked child of a multi-threaded
 * parent, in a vfork child (which shares its parent's memory) or in the park
 * loop.  So: raw system calls that leave errno alone (a vfork child's errno is
 * its parent's), fixed caller-owned buffers, no malloc, no stdio, no locks.
 */
#ifndef HOLD_SIGSAFE_H
#define HOLD_SIGSAFE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

/* A raw system call: returns the kernel's value, -errno on failure. */
long safe_sys6(long nr, long a, long b, long c, long d, long e, long f);
#define safe_sys(nr, a, b, c) safe_sys6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* An append-only text buffer over caller-owned storage.  Overflow truncates
 * and sets `full`; it never writes past `cap`. */
struct safe_buf {
	char *p;
	size_t len, cap;
	int full;
};

void safe_init(struct safe_buf *b, char *mem, size_t cap);
void safe_str(struct safe_buf *b, const char *s);
void safe_mem(struct safe_buf *b, const char *s, size_t n);
void safe_chr(struct safe_buf *b, char c);
void safe_u64(struct safe_buf *b, uint64_t v);
void safe_i64(struct safe_buf *b, int64_t v);
/* Seconds with `digits` decimals, from nanoseconds. */
void safe_secs(struct safe_buf *b, uint64_t ns, int digits);
/* NUL-terminates (truncating one byte if needed) and returns the string. */
const char *safe_cstr(struct safe_buf *b);

size_t safe_strlen(const char *s);
int safe_startswith(const char *s, const char *prefix);

/* write(2) all of it, retrying on EINTR and short writes. */
int safe_write_all(int fd, const char *s, size_t n);
/* Read a whole small file (e.g. /proc/self/cmdline); returns bytes or -errno. */
long safe_read_file(const char *path, char *buf, size_t cap);

uint64_t safe_now_ns(int clock);
void safe_sleep_ns(uint64_t ns);
int safe_getpid(void);
int safe_gettid(void);

#endif
