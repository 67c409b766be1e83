/* skiff.h: the global options, and every room's header (docs/architecture.md).
 * A file may include this umbrella or only the headers it needs: the
 * rooms of src/ (cli.h, runtime.h, process.h, net.h, criu.h...), base/
 * and include/skiff/.  Nothing outside src/ includes it. */
#ifndef SKIFF_SRC_H
#define SKIFF_SRC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/log.h"
#include "skiff/oci.h"
#include "skiff/seccomp.h"
#include "build_id.h"
#include "sha256.h"
#include "cli.h"
#include "container.h"
#include "net.h"
#include "process.h"
#include "runtime.h"

/* The global options: set by main.c (src/cli/) from the command line,
 * read by the runtime (the state root, the cgroup manager, criu). */
struct sk_globals {
	const char *root;          /* --root, default /run/skiff */
	const char *log_path;      /* --log */
	bool log_json;             /* --log-format json */
	bool debug;
	bool cgroups_disabled;     /* --cgroup-manager disabled */
	bool systemd_cgroup;       /* --systemd-cgroup */
	char **argv;               /* main()'s argv as given (for sk_exe_protect) */
	const char *criu;          /* --criu: the criu binary (default "criu" in PATH) */
};
extern struct sk_globals sk_g;

#endif
