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
 * written or, if ours and no longer wanted, tombstoned.  So one event
 * costs the same with 10 or 10,000 VMs tracked, bar one cheap walk of
 * the registrations.  Pure: no I/O.
 */
#ifndef VMG_SCOPE_H
#define VMG_SCOPE_H

#include <stddef.h>

#include <uthash.h>

#include "model.h"

struct scope_key {
	char *key;
	const char *zone;	/* nodes: points into the model_config */
	char *name;		/* nodes: relative name; groups: the label */
	struct event_addr addr;	/* addresses: the address */
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
};

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
void scope_begin(struct scope *s);
int scope_has_node(const struct scope *s, const char *zone, const char *name);
int scope_has_group(const struct scope *s, const char *name);
/* Keep only what is in scope in d (nodes and groups). */
void scope_filter(const struct scope *s, struct model_desired *d);

#endif
