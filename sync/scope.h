/*
 * scope.h - what a pass between full reconciles must look at: the nodes
 * and groups the registrations changed by this pass's events touch.
 *
 * Each registration a pass changes (registered, moved, released, expired,
 * refused) is noted as it was before and as it is after.  From those:
 * their groups (the group node, its SRV node, the vmGroup object), their
 * addresses' PTR nodes, their VM nodes (with vm_records), and the host's
 * SRV node.  The model is then built only from the registrations those
 * nodes need (all members of a touched group, every registration holding
 * a touched address, and one registration of every other group, so the
 * host's SRV node lists every group), and only the nodes in scope are
 * written or, if ours and no longer wanted, tombstoned.  A touched group
 * the directory holds as the last pass left it is patched instead of
 * rebuilt (scope_plan): built only from the registrations noted and those
 * sharing their addresses, plus one, and what the notes name but none of
 * those holds leaves it.  So one event costs the same with 10 or 10,000
 * VMs tracked, bar one cheap walk of the registrations.  Pure: no I/O.
 */
#ifndef VMG_SCOPE_H
#define VMG_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "model.h"

struct scope_key {
	char *key;
	const char *zone;	/* nodes: points into the model_config */
	char *name;		/* nodes: relative name; labels: the group */
	struct event_addr addr;	/* addresses: the address */
	/* labels: the group's VMs and addresses as noted (model_patch),
	 * and whether the group is patched rather than rebuilt */
	char **vms;
	struct event_addr *addrs;
	size_t nvms, naddrs;
	int patched;
	struct model_patch patch;
	UT_hash_handle hh;
};

struct scope {
	const struct model_config *cfg;
	struct scope_key *nodes;	/* "<zone>\n<name>" */
	struct scope_key *groups;	/* group node labels */
	struct scope_key *labels;	/* image labels of touched groups */
	struct scope_key *vms;
	struct scope_key *addrs;	/* addresses, as text */
	struct scope_key *reps;		/* labels with a registration in the
					 * build under way */
	/* the pass's withheld names (model_config.withheld) */
	int (*withheld)(const void *ctx, const char *name);
	const void *withheld_ctx;
	struct scope_reps *known;	/* kept across passes, or NULL */
	int64_t now;			/* the build's time */
	int picked;			/* the build used scope_pick */
};

/* One registration of every group of the host, as the last pass that
 * walked them all found (label -> VM name), kept by the daemon across
 * passes: with it a pass builds from the registrations it touched, and
 * those, without a walk (scope_pick). */
struct scope_reps {
	struct scope_key *map;
	int valid;		/* filled by a walk since the last full pass */
};
/* Forget them (a full pass may have added groups nobody noted). */
void scope_reps_clear(struct scope_reps *r);

void scope_init(struct scope *s, const struct model_config *cfg);
void scope_free(struct scope *s);
/* Note r, as it was before a change or as it is after. */
void scope_note(struct scope *s, const struct model_reg *r);
/* For model_config.only (ctx: the scope): 1 if r is needed to build the
 * nodes in scope.  Call scope_begin before each build. */
int scope_only(void *ctx, const struct model_reg *r);
/* For model_config.only_full: 1 if r's own nodes (PTRs, VM node) are in
 * scope, 0 if it is needed only as a member of its group. */
int scope_only_full(void *ctx, const struct model_reg *r);
/* Before each build: cfg the pass's model_config (its withheld names),
 * known the groups' registrations kept across passes (NULL: none). */
void scope_begin(struct scope *s, const struct model_config *cfg,
    struct scope_reps *known, int64_t now);
/* For model_config.pick (ctx: the scope): the registrations noted and
 * the known ones of each group, unless a walk of them all is needed (a
 * group rebuilt, a known one gone or changed, an address noted that
 * another registration holds too). */
int scope_pick(void *ctx, const struct model_regs *regs,
    const struct model_reg ***v, size_t *n);
/* After a build: the registrations scope_only found for each group kept
 * in s->known. */
void scope_end(struct scope *s);
/* Patch rather than rebuild each touched group for which patchable
 * returns 1 (its nodes and object are held as the last pass left them):
 * scope_only then lets through only its members scope_only_full wants
 * and one other, and scope_patch (model_config.patch) names what the
 * pass may have taken from it. */
void scope_plan(struct scope *s, int (*patchable)(void *ctx,
    const char *group), void *ctx);
const struct model_patch *scope_patch(void *ctx, const char *label);
int scope_has_node(const struct scope *s, const char *zone, const char *name);
int scope_has_group(const struct scope *s, const char *name);
/* Keep only what is in scope in d (nodes and groups). */
void scope_filter(const struct scope *s, struct model_desired *d);

#endif
