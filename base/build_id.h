/* skiff's build identity (base/build_id.c). */
#ifndef SKIFF_BUILD_ID_H
#define SKIFF_BUILD_ID_H

#include <stddef.h>

/* This program's GNU build-id (a hash of the linked program, -Wl,--build-id)
 * and its length in *len; NULL (*len 0) when it was linked without one. */
const unsigned char *sk_build_id(size_t *len);

#endif
