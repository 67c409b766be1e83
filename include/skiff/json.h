/* Small helpers over yajl's generator shared by the JSON writers. */
#ifndef SKIFF_JSON_H
#define SKIFF_JSON_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>

/* Take the generated text as a heap string (ending in one newline when
 * `newline`) and free the generator. */
char *sk_json_finish(yajl_gen g, bool newline);

#endif
