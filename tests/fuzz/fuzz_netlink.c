/* libFuzzer target: rtnetlink replies (src/net/netlink.c), read as the reply
 * to a link request or to an address dump (the first byte chooses). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/net/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf;

	if (!size)
		return 0;
	/* aligned, as recv() into a malloc'd buffer gives it */
	buf = malloc(size - 1 ? size - 1 : 1);
	memcpy(buf, data + 1, size - 1);
	sk_nl_fuzz_reply(buf, size - 1, data[0] & 1);
	free(buf);
	return 0;
}
