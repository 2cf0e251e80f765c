/* SPDX-License-Identifier: MIT */
/*
 * sigsafe.c - async-signal-safe primitives; see sigsafe.h for the rules they keep.
 */
#include "sigsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
__attribute__((hot)) long safe_sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
#include <unistd.h>
/* Portable fallback: glibc's syscall() is a thin trampoline but sets errno;
 * save and restore it so a vfork child leaves its parent's errno alone. */
__attribute__((hot)) long safe_sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	int saved = errno;
	long ret = syscall(nr, a, b, c, d, e, f);

	if (ret == -1)
		ret = -errno;
	errno = saved;
	return ret;
}
#endif

__attribute__((hot)) size_t safe_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

__attribute__((hot)) int safe_startswith(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

__attribute__((hot)) int safe_write_all(int fd, const char *s, size_t n)
{
	while (n) {
		long w = safe_sys(SYS_write, fd, s, n);

		if (w == -EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

__attribute__((hot)) long safe_read_file(const char *path, char *buf, size_t cap)
{
	long fd = safe_sys6(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	size_t got = 0;

	if (fd < 0)
		return fd;
	while (got < cap) {
		long r = safe_sys(SYS_read, fd, buf + got, cap - got);

		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	safe_sys(SYS_close, fd, 0, 0);
	return (long)got;
}

uint64_t safe_now_ns(int clock)
{
	struct timespec ts;

	/* The raw call, not the vDSO: the vDSO is fine in practice but is not
	 * a system call, and this keeps the rule simple to audit. */
	if (safe_sys(SYS_clock_gettime, clock, &ts, 0) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((hot)) void safe_sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};

	safe_sys(SYS_nanosleep, &ts, 0, 0);
}

__attribute__((hot)) int safe_getpid(void)
{
	return (int)safe_sys(SYS_getpid, 0, 0, 0);
}

__attribute__((hot)) int safe_gettid(void)
{
	return (int)safe_sys(SYS_gettid, 0, 0, 0);
}

int safe_comm(char out[16])
{
	out[15] = '\0';
	if (safe_sys6(SYS_prctl, PR_GET_NAME, (long)out, 0, 0, 0, 0) < 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
