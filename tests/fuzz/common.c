/* What src/cli/main.c defines, for the fuzz targets: the globals, with a
 * state root that does not exist (nothing is written). */
#include "../../src/skiff.h"

struct sk_globals sk_g = { .root = "/nonexistent/skiff-fuzz" };
