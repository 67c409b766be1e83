/* The runtime-spec 1.3.0 config model: config.json parsed into plain C.
 *
 * Conventions: strings are NUL-terminated heap copies or NULL when absent;
 * arrays are a pointer plus a count (`n_x`); optional scalars carry a
 * `has_x` flag.  Everything is owned by the struct sk_config and released
 * by sk_config_free().  The parser (oci/config.c) fills every field the
 * spec defines for Linux; whether a field is acted on is up to its user.
 * Enumerated fields hold their value, not the string (skiff/enums.h);
 * sk_config_validate() (oci/validate.c) has checked the whole model. */
#ifndef SKIFF_CONFIG_H
#define SKIFF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "skiff/enums.h"

/* -std=gnu11 predefines `linux` as 1; the model has a member of that name. */
#undef linux

struct sk_error;

struct sk_kv { char *key; char *value; };            /* annotations, sysctl, unified */

struct sk_hook {
	char *path;
	char **args;   size_t n_args;
	char **env;    size_t n_env;
	bool has_timeout; int64_t timeout;                /* seconds, > 0 */
};

enum sk_hook_phase {
	SK_HOOK_PRESTART, SK_HOOK_CREATE_RUNTIME, SK_HOOK_CREATE_CONTAINER,
	SK_HOOK_START_CONTAINER, SK_HOOK_POSTSTART, SK_HOOK_POSTSTOP,
	SK_HOOK_PHASES
};
struct sk_hooks { struct sk_hook *list[SK_HOOK_PHASES]; size_t n[SK_HOOK_PHASES]; };

struct sk_idmap { uint32_t container_id, host_id, size; };

struct sk_mount {
	char *destination;                                 /* REQUIRED */
	char *source;
	char *type;
	char **options; size_t n_options;
	struct sk_idmap *uid_mappings; size_t n_uid_mappings;
	struct sk_idmap *gid_mappings; size_t n_gid_mappings;
};

struct sk_rlimit { int type; uint64_t soft, hard; };  /* type: RLIMIT_* */

struct sk_user {
	uint32_t uid, gid;
	bool has_umask; uint32_t umask;
	uint32_t *additional_gids; size_t n_additional_gids;
	char *username;
};

enum sk_cap_set { SK_CAP_BOUNDING, SK_CAP_EFFECTIVE, SK_CAP_INHERITABLE,
		  SK_CAP_PERMITTED, SK_CAP_AMBIENT, SK_CAP_SETS };
struct sk_capabilities {
	bool present;
	char **set[SK_CAP_SETS]; size_t n[SK_CAP_SETS];
};

struct sk_scheduler {
	bool present;
	enum sk_sched_policy policy;                       /* REQUIRED when present */
	bool has_nice; int32_t nice;
	bool has_priority; int32_t priority;
	unsigned long flags;                               /* SCHED_FLAG_* */
	bool has_runtime; uint64_t runtime;
	bool has_deadline; uint64_t deadline;
	bool has_period; uint64_t period;
};

struct sk_process {
	bool present;
	bool terminal;
	bool has_console_size; uint64_t console_height, console_width;
	struct sk_user user;
	char **args; size_t n_args;
	char *command_line;                                /* Windows only; kept */
	char **env; size_t n_env;
	char *cwd;                                         /* REQUIRED */
	struct sk_capabilities caps;
	struct sk_rlimit *rlimits; size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj; int oom_score_adj;
	struct sk_scheduler scheduler;
	char *selinux_label;
	bool has_io_priority; enum sk_ioprio_class io_priority_class; int32_t io_priority;
	char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
};

enum sk_ns_type { SK_NS_PID, SK_NS_NET, SK_NS_MOUNT, SK_NS_IPC, SK_NS_UTS,
		  SK_NS_USER, SK_NS_CGROUP, SK_NS_TIME, SK_NS_TYPES };
struct sk_namespace { enum sk_ns_type type; char *path; };

struct sk_device {
	char *path;
	enum sk_dev_type type;
	bool has_major; int64_t major;
	bool has_minor; int64_t minor;
	bool has_file_mode; uint32_t file_mode;
	bool has_uid; uint32_t uid;
	bool has_gid; uint32_t gid;
};

struct sk_device_rule {                               /* linux.resources.devices */
	bool allow;
	char *type;                                        /* a c b, NULL = all */
	bool has_major; int64_t major;                     /* absent = wildcard */
	bool has_minor; int64_t minor;
	char *access;                                      /* rwm */
};

struct sk_blkio_dev { int64_t major, minor; bool has_weight; uint16_t weight;
		      bool has_leaf_weight; uint16_t leaf_weight; uint64_t rate; };

struct sk_hugepage_limit { char *page_size; uint64_t limit; };
struct sk_rdma { char *device; bool has_handles; uint32_t handles;
		 bool has_objects; uint32_t objects; };
struct sk_net_prio { char *name; uint32_t priority; };

struct sk_resources {
	bool present;
	struct sk_device_rule *devices; size_t n_devices;
	struct {
		bool present;
		bool has_limit; int64_t limit;
		bool has_reservation; int64_t reservation;
		bool has_swap; int64_t swap;
		bool has_kernel; int64_t kernel;
		bool has_kernel_tcp; int64_t kernel_tcp;
		bool has_swappiness; uint64_t swappiness;
		bool has_disable_oom_killer; bool disable_oom_killer;
		bool has_use_hierarchy; bool use_hierarchy;
		bool has_check_before_update; bool check_before_update;
	} memory;
	struct {
		bool present;
		bool has_shares; uint64_t shares;
		bool has_quota; int64_t quota;
		bool has_burst; uint64_t burst;
		bool has_period; uint64_t period;
		bool has_realtime_runtime; int64_t realtime_runtime;
		bool has_realtime_period; uint64_t realtime_period;
		char *cpus, *mems;
		bool has_idle; int64_t idle;
	} cpu;
	struct { bool present; bool has_limit; int64_t limit; } pids;
	struct {
		bool present;
		bool has_weight; uint16_t weight;
		bool has_leaf_weight; uint16_t leaf_weight;
		struct sk_blkio_dev *weight_device; size_t n_weight_device;
		struct sk_blkio_dev *throttle_read_bps; size_t n_throttle_read_bps;
		struct sk_blkio_dev *throttle_write_bps; size_t n_throttle_write_bps;
		struct sk_blkio_dev *throttle_read_iops; size_t n_throttle_read_iops;
		struct sk_blkio_dev *throttle_write_iops; size_t n_throttle_write_iops;
	} blkio;
	struct sk_hugepage_limit *hugepage_limits; size_t n_hugepage_limits;
	struct {
		bool present;
		bool has_class_id; uint32_t class_id;
		struct sk_net_prio *priorities; size_t n_priorities;
	} network;
	struct sk_rdma *rdma; size_t n_rdma;
	struct sk_kv *unified; size_t n_unified;
};

struct sk_seccomp_arg { uint32_t index; uint64_t value, value_two; bool has_value_two;
			enum sk_scmp_op op; };
struct sk_seccomp_syscall {
	char **names; size_t n_names;
	enum sk_scmp_action action;
	bool has_errno_ret; uint32_t errno_ret;
	struct sk_seccomp_arg *args; size_t n_args;
};
struct sk_seccomp {
	bool present;
	enum sk_scmp_action default_action;
	bool has_default_errno_ret; uint32_t default_errno_ret;
	unsigned *architectures; size_t n_architectures;   /* enum sk_scmp_arch */
	unsigned long flags;                               /* SECCOMP_FILTER_FLAG_* */
	char *listener_path, *listener_metadata;
	struct sk_seccomp_syscall *syscalls; size_t n_syscalls;
};

struct sk_net_device { char *host_name; char *name; };  /* linux.netDevices */

struct sk_linux {
	bool present;
	struct sk_namespace *namespaces; size_t n_namespaces;
	struct sk_idmap *uid_mappings; size_t n_uid_mappings;
	struct sk_idmap *gid_mappings; size_t n_gid_mappings;
	bool has_time_offsets;
	struct { bool present; int64_t secs; uint32_t nanosecs; } time_monotonic, time_boottime;
	struct sk_device *devices; size_t n_devices;
	struct sk_net_device *net_devices; size_t n_net_devices;
	char *cgroups_path;
	struct sk_resources resources;
	unsigned long rootfs_propagation;                  /* MS_* flags, 0: not given */
	struct sk_seccomp seccomp;
	struct sk_kv *sysctl; size_t n_sysctl;
	char **masked_paths; size_t n_masked_paths;
	char **readonly_paths; size_t n_readonly_paths;
	char *mount_label;
	struct {
		bool present;
		char *clos_id, *l3_cache_schema, *mem_bw_schema;
		char **schemata; size_t n_schemata;
		bool enable_monitoring;
	} intel_rdt;
	struct { bool present; enum sk_mpol_mode mode; char *nodes;
		 unsigned long flags; } memory_policy;              /* flags: MPOL_F_* */
	struct { bool present; enum sk_personality_domain domain;
		 char **flags; size_t n_flags; } personality;        /* flags: none defined */
};

struct sk_config {
	char *oci_version;                                 /* REQUIRED */
	char *root_path;                                   /* root.path as written */
	bool root_readonly;
	bool has_root;
	char *hostname, *domainname;
	struct sk_mount *mounts; size_t n_mounts;
	struct sk_process process;
	struct sk_hooks hooks;
	struct sk_kv *annotations; size_t n_annotations;
	struct sk_linux linux;
};

/* Parse a config.json held in memory.  `name` prefixes error messages
 * ("config.json: process.user.uid: expected ...").  Returns 0, or -1 with
 * `err` filled; on error *out is untouched. */
int sk_config_parse(const char *json, size_t len, const char *name,
		    struct sk_config **out, struct sk_error *err);
/* Read and parse <bundle>/config.json. */
int sk_config_load(const char *bundle, struct sk_config **out, struct sk_error *err);
/* The same, also handing back the file's bytes (to keep a copy of them). */
int sk_config_load_raw(const char *bundle, struct sk_config **out, char **raw, size_t *raw_len,
		       struct sk_error *err);
void sk_config_free(struct sk_config *c);
/* Parse a process.json (the `process` object of the spec at the top level,
 * as `exec --process` takes it; args are required).  Errors name `name`
 * and the path ("process.json: user.uid: ...").  Free with sk_process_free. */
int sk_process_parse(const char *json, size_t len, const char *name,
		     struct sk_process *out, struct sk_error *err);
void sk_process_free(struct sk_process *p);
/* Parse the linux.resources object alone (`update -r`) into a config that
 * has only that; errors name the paths of config.json. */
int sk_resources_parse(const char *json, size_t len, const char *name,
		       struct sk_config **out, struct sk_error *err);

/* oci/validate.c: every check of the model that needs no kernel, run by
 * sk_config_parse() (and sk_process_validate() by sk_process_parse()), so
 * before anything is created.  Errors name `name` and the field. */
int sk_config_validate(const struct sk_config *c, const char *name, struct sk_error *err);
/* `pp`: the process object's path with its dot ("process.", "" for a
 * process.json). */
int sk_process_validate(const struct sk_process *p, const char *name, const char *pp,
			struct sk_error *err);
/* A CPU or node list ("0-3,7") -> bits (nbits of them); -1 when malformed
 * or a number is not below nbits. */
int sk_id_list_parse(const char *s, unsigned long *mask, size_t nbits);
/* The bits skiff keeps for both: CPU_SETSIZE, and set_mempolicy's mask. */
#define SK_ID_LIST_BITS 1024

/* Helpers over the model. */
const struct sk_namespace *sk_config_ns(const struct sk_config *c, enum sk_ns_type t);
const char *sk_ns_type_name(enum sk_ns_type t);      /* "pid", "network", ... */
bool sk_cap_name_known(const char *name);           /* CAP_CHOWN .. CAP_CHECKPOINT_RESTORE */
const char *sk_hook_phase_name(enum sk_hook_phase p); /* "prestart", ... */

#endif
