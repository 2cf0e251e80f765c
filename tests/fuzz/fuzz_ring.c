/* SPDX-License-Identifier: MIT */
/* libFuzzer target for holdd's reader of the report ring (ring.h), whose
 * every byte a writer of that user controls: the input is laid over the
 * header (head, tail, lost, ...) and then over the slots from the reader's
 * tail on (each chunk: a length byte pair, a seq that may or may not be
 * the right one, then data), and the ring is drained twice, the second time
 * past the stuck timeout.  ASan catches any access outside the ring or a
 * copy; each report is decoded as holdd would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "ring.h"

static void take(void *ctx, const char *msg, size_t n, int pid)
{
	struct hold_msg m;
	char *copy = malloc(n ? n : 1);

	(void)ctx;
	(void)pid;
	memcpy(copy, msg, n);
	hold_msg_decode(&m, copy, n);
	free(copy);
}

/* libFuzzer calls these */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *ring;
	struct hold_ring_reader r = {0};
	struct hold_ring_hdr *h;

	if (!ring)
		ring = calloc(1, HOLD_RING_SIZE);
	memset(ring, 0, HOLD_RING_HDR);
	h = (struct hold_ring_hdr *)ring;
	if (size >= sizeof(*h)) {
		memcpy(h, data, sizeof(*h));
		data += sizeof(*h);
		size -= sizeof(*h);
	}
	r.tail = h->tail;
	for (uint64_t t = r.tail; size >= 3; t++) {
		struct hold_ring_slot *s = (struct hold_ring_slot *)(ring + HOLD_RING_HDR) +
					   (t & (HOLD_RING_SLOTS - 1));
		size_t n = (size_t)(data[0] | data[1] << 8) % (HOLD_RING_DATA + 64);
		int good = data[2] & 1;

		data += 3;
		size -= 3;
		s->seq = good ? t + 1 : t;
		s->len = (uint32_t)n;
		s->pid = (int32_t)t;
		if (n > size)
			n = size;
		memcpy(s->data, data, n < HOLD_RING_DATA ? n : HOLD_RING_DATA);
		data += n;
		size -= n;
	}
	hold_ring_drain(ring, &r, 1, take, NULL);
	hold_ring_drain(ring, &r, 1 + HOLD_RING_STUCK_NS, take, NULL);
	hold_ring_drain(ring, &r, 1 + HOLD_RING_WAIT_NS, take, NULL);
	hold_ring_sleep(ring, &r);
	return 0;
}
