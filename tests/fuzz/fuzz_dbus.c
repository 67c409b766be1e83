/* libFuzzer target: a D-Bus message as the client receives it (base/dbus.c):
 * decoded, checked against its signature, and read as the replies skiff
 * expects (an object path, a string, JobRemoved's "uoss"). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/dbus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	memcpy(buf, data, size);
	sk_dbus_fuzz(buf, size);
	free(buf);
	return 0;
}
