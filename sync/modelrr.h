/*
 * modelrr.h - the desired state's DNS nodes and records, as model_desired
 * builds them (pure; model.c's helper): a table of nodes by FQDN and the
 * record builders (A/AAAA, SRV, PTR).  A node's zone is one copy per zone
 * and its name, its records' values and their arrays go right-sized into
 * the desired state's arena; only the table itself lives in tmp.
 */
#ifndef VMG_MODELRR_H
#define VMG_MODELRR_H

#include <stddef.h>

#include "arena.h"
#include "event.h"
#include "model.h"

struct modelrr_node;

struct modelrr {
	const struct model_config *cfg;
	struct arena *mem;			/* the desired state's */
	struct arena tmp;			/* the table's */
	struct modelrr_node *nodes;		/* by FQDN */
	const char *zone;			/* cfg's zones, in mem */
	const char *revzones[MODEL_MAX_REVZONES];
	char *err;
	size_t errlen;
};

/* Where the PTR of a lives: the index of the longest reverse zone of cfg
 * holding it, and the name relative to it in rel.  -1: none holds it. */
int modelrr_ptr_zone(const struct model_config *cfg, const struct event_addr *a,
    char rel[NAME_FQDN_BUF]);
void modelrr_init(struct modelrr *t, const struct model_config *cfg,
    struct arena *mem, char *err, size_t errlen);
/* "what: name" into err; returns -1. */
int modelrr_fail(struct modelrr *t, const char *what, const char *name);
/* Find or create the node name in zone (t->zone or one of t->revzones);
 * NULL (err set) if two kinds want one name or the name is too long. */
struct model_node *modelrr_node(struct modelrr *t, enum model_node_kind kind,
    const char *zone, const char *name);
int modelrr_addr(struct modelrr *t, struct model_node *node,
    const struct event_addr *a);
int modelrr_srv(struct modelrr *t, struct model_node *node,
    const char *target);
/* Mark node patched (model_node.gone), and records it must not hold. */
void modelrr_patch(struct modelrr *t, struct model_node *node);
int modelrr_gone_addr(struct modelrr *t, struct model_node *node,
    const struct event_addr *a);
int modelrr_gone_srv(struct modelrr *t, struct model_node *node,
    const char *target);
/* r's PTR records (to vmfqdn), each in the reverse zone that holds its
 * address (none: no PTR); r's own A/AAAA node. */
/* Room for more records in node, exactly (a group's, counted first). */
void modelrr_reserve(struct modelrr *t, struct model_node *node,
    size_t more);
int modelrr_ptrs(struct modelrr *t, const struct model_reg *r,
    const char *vmfqdn);
int modelrr_vm(struct modelrr *t, const struct model_reg *r);
/* Every node into *nodes (sorted by zone, then name, records sorted and
 * distinct), each built whole with the owner value of cfg->host
 * (ownrec.h); empties the table and frees tmp.  0, or -1 (err set). */
int modelrr_finish(struct modelrr *t, struct model_node **nodes,
    size_t *nnodes);

#endif
