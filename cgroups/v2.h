/* Internal interface of the cgroup v2 driver (cgroups/v2*.c, ebpf.c). */
#ifndef SKIFF_CGROUPS_V2_H
#define SKIFF_CGROUPS_V2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff/cgroups.h"

struct sk_error;
struct sk_config;
struct sk_resources;

#define SK_CG_MAX_CTRLS 16

/* The controllers a resources object needs, by name. */
struct sk_cg_ctrls {
	char name[SK_CG_MAX_CTRLS][32];       /* copies: the struct owns them */
	const char *field[SK_CG_MAX_CTRLS];   /* the first field asking for it */
	size_t n;
};

/* Check linux.resources for v2 without touching the system (conversions
 * that cannot be made, bad unified keys) and list the controllers it needs. */
int sk_cg2_check(const struct sk_resources *r, struct sk_cg_ctrls *need, struct sk_error *err);
/* Every needed controller must be in <rootfd>/cgroup.controllers. */
int sk_cg2_check_available(int rootfd, const struct sk_cg_ctrls *need, enum sk_cgroup_mode mode,
			   struct sk_error *err);
/* Enable the needed controllers (and, best effort, cpu memory pids io for
 * stats) in cgroup.subtree_control of the hierarchy root and of every
 * level of `rel` but the last. */
int sk_cg2_enable(int rootfd, const char *rel, const struct sk_cg_ctrls *need, struct sk_error *err);
/* Write the resources into the cgroup at fd.  `update`: a running
 * container (checkBeforeUpdate, partial cpu.max). */
int sk_cg2_apply(int fd, const struct sk_resources *r, bool update, struct sk_error *err);

/* cpu.shares (v1 scale 2..262144) to cpu.weight (1..10000), as runc and
 * crun convert it. */
uint64_t sk_cgroup_shares_to_weight(uint64_t shares);

/* Check, enable the controllers (up to cg's path), apply to fd. */
int sk_cg2_enable_apply(const struct sk_cgroup *cg, int fd, const struct sk_resources *r,
			bool update, struct sk_error *err);
/* `update` of a unified host's cgroup: check, enable, apply. */
int sk_cg2_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err);

/* ebpf.c: a default-deny device program (rules of linux.resources.devices,
 * and the standard devices allowed), attached to the cgroup. */
int sk_cg2_devices(int fd, const struct sk_config *c, struct sk_error *err);

/* Human form of a byte count: 67108864 -> "64M". */
void sk_cg_human_bytes(unsigned long long v, char *buf, size_t len);

#endif
