/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the protocol decoder: any bytes, as holdd would read
 * them off a socket, framed and decoded; ASan catches any read past them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* libFuzzer calls these */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hold_msg m;

	while (size > 0) {
		long n = hold_msg_frame(data, size);

		if (n <= 0) /* need more, or malformed: the connection would close */
			break;
		/* decode from an exact-size heap copy so ASan sees any overrun */
		uint8_t *copy = malloc((size_t)n);

		memcpy(copy, data, (size_t)n);
		if (hold_msg_decode(&m, copy, (size_t)n) == HOLD_PROTO_OK)
			for (unsigned i = 0; i < m.nargs; i++)
				if (m.arg[i].len &&
				    ((volatile const char *)m.arg[i].p)[m.arg[i].len - 1] == 1)
					break;
		free(copy);
		data += n;
		size -= (size_t)n;
	}
	hold_msg_decode(&m, data, size);
	return 0;
}
