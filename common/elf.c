/* SPDX-License-Identifier: MIT */
/*
 * elf.c - see elf.h.
 */
#include "elf.h"

#include <stdint.h>

#define PT_INTERP_ 3u

int hold_elf_dynamic(long fd, hold_pread_fn rd)
{
	unsigned char h[64], ph[4];
	uint64_t off;
	uint16_t size, n;

	if (rd(fd, h, sizeof(h), 0) != (long)sizeof(h) || h[0] != 0x7f || h[1] != 'E' ||
	    h[2] != 'L' || h[3] != 'F' || h[4] != 2 /* ELFCLASS64 */)
		return -1;
	__builtin_memcpy(&off, h + 0x20, 8);  /* e_phoff */
	__builtin_memcpy(&size, h + 0x36, 2); /* e_phentsize */
	__builtin_memcpy(&n, h + 0x38, 2);    /* e_phnum */
	for (uint16_t i = 0; i < n && size >= 4; i++) {
		uint32_t type;

		if (rd(fd, ph, 4, off + (uint64_t)i * size) != 4)
			return -1;
		__builtin_memcpy(&type, ph, 4);
		if (type == PT_INTERP_)
			return 1;
	}
	return 0;
}
