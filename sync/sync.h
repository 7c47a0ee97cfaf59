/*
 * sync.h - one pass: make the directory hold what the model wants
 * (nodes: node.h, vmGroup objects: group.h, skipped when cache.h says
 * they were verified already).
 *
 * For every desired node: create it (claiming it first in the ownership
 * record), or, if we own it, change exactly the values that differ with one
 * constrained modify (delete the exact old values, add the new), retried
 * after a re-read when a concurrent writer got there first.  A node we own
 * that is no longer wanted is tombstoned the way Windows DNS does it: its
 * values are replaced by one type-0 record holding the time, and
 * dNSTombstoned becomes TRUE; a wanted tombstoned node of ours is revived.
 * A node that exists but is not ours is never touched: it is reported.
 * vmGroup objects follow the same ownership rule.  An emptied group's
 * object is deleted, unless it is blocked: then it is kept, without members
 * or addresses, so the block holds when the group fills again (vmgroupd
 * never writes the block attributes; only `vmgroup unblock` clears them).
 */
#ifndef VMG_SYNC_H
#define VMG_SYNC_H

#include <stddef.h>
#include <time.h>

#include "cache.h"
#include "dir.h"
#include "model.h"
#include "own.h"
#include "scope.h"
#include "view.h"

#define SYNC_MAX_FOREIGN 64

struct group_view;

struct sync_params {
	const char *base;		/* DC=example,DC=test */
	const char *partition;		/* DomainDnsZones */
	const char *ou;			/* OU=VM Groups,DC=example,DC=test */
	const char *host;		/* the host whose nodes these are */
	time_t now;			/* for tombstone times */
	struct cache *cache;		/* NULL: read everything */
	struct view *view;		/* what the directory holds (view.h) */
	struct group_view *gview;	/* its group objects (group.h); NULL:
					 * read each one */
	const struct scope *scope;	/* only these nodes and groups (the
					 * desired state is built for them);
					 * NULL: all */
	int full;			/* a full reconcile: read everything */
	int (*stop)(void);		/* true: stop before the next write */
	/* The desired state came in parts (model_config.nparts): part 0 is
	 * given to sync_apply; part k (1 <= k < nparts), nodes only, is
	 * built by this when the nodes before it are written, and freed
	 * after its own are. */
	unsigned nparts;
	int (*part)(void *ctx, unsigned k, struct model_desired *out,
	    char *err, size_t errlen);
	void *part_ctx;
};

struct sync_stats {
	size_t added, changed, tombstoned, revived, unchanged, foreign;
	size_t cached;		/* not read: unchanged since the last pass */
	size_t groups_added, groups_changed, groups_deleted;
	size_t groups_kept;	/* emptied but blocked: kept, no members */
	/* patched nodes or objects the directory did not hold as the pass
	 * thought: a whole build (a full pass) must write them */
	size_t stale;
	/* full names of foreign nodes a desired record wanted */
	char foreign_names[SYNC_MAX_FOREIGN][NAME_FQDN_BUF];
	size_t nforeign;
	/* names of vmGroup objects that exist and are not ours */
	char foreign_groups[SYNC_MAX_FOREIGN][NAME_LABEL_BUF];
	size_t nforeign_groups;
};

/* For scope_plan: may the group of this name be patched (its node, its
 * SRV node and its object held by the view as live ones of ours)? */
struct sync_patch_ctx {
	const struct sync_params *p;
	const struct own *own;
	const char *zone;		/* the forward zone */
};
int sync_patchable(void *ctx, const char *group);

/* Apply want (its nodes freed once written, before the groups').  0 when
 * every owned difference was written; -1 with err on
 * the first directory failure (the caller retries later), or when p->stop
 * asks to stop (checked before each node or object).  Foreign nodes
 * are not failures: they are counted and named in st. */
int sync_apply(struct dir *d, struct own *own, const struct sync_params *p,
    struct model_desired *want, struct sync_stats *st, char *err,
    size_t errlen);

#endif
