/*
 * claim.h - the names vmgroupd points at, and whether it may.
 *
 * Whatever vmgroupd publishes that names another name - a PTR or SRV
 * target, the host's SRV list of groups, a vmGroup object's DNS name, a
 * group's member list - must name a node vmgroupd holds, or (a VM without
 * VM records) a name nobody holds.  Before each pass the names of this
 * host's VMs and groups are looked up in the forward zone.  A name that is
 * a node vmgroupd does not own is in conflict, and everything that would
 * point at it is withheld (model_config.withheld) until the node is gone:
 *  - a VM name, while its node is live (a tombstoned node names nothing),
 *    or in any state when vm_records has vmgroupd write that node;
 *  - a group name, in any state (vmgroupd must write the group node).
 * The comparison is the directory's: DN look-ups are case-insensitive, so
 * "DC1" and "dc1" are one name.  Names are looked up in batches, one
 * search for up to CLAIM_BATCH of them.  Names in conflict are looked up
 * again every pass; names found free again only at a full reconcile, after a failure,
 * or when they are new.  Each change is reported once (claims_report).
 */
#ifndef VMG_CLAIM_H
#define VMG_CLAIM_H

#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "dir.h"
#include "model.h"
#include "own.h"
#include "scope.h"

#define CLAIM_BATCH 256	/* names per look-up search */

enum claim_kind { CLAIM_VM, CLAIM_GROUP };

struct claim {
	enum claim_kind kind;
	unsigned foreign:1;		/* a node vmgroupd does not own */
	unsigned verified:1;		/* looked up since the last full pass */
	unsigned changed:1;		/* foreign flipped, not yet reported */
	unsigned seen:1;		/* wanted in the current pass */
	/* a look-up under way (claims_refresh) */
	unsigned pending:1, live_only:1, found:1, found_tomb:1, found_ours:1;
	unsigned recheck:1;		/* found by a zone scan that does not
					 * read owners, maybe vmgroupd's: looked
					 * up again (with its owner) */
	char name[];			/* key, right-sized (< NAME_LABEL_BUF):
					 * VM names never end in -vm */
};

struct claims {
	struct claim **map;		/* open addressing, linear probing */
	size_t cap, n;			/* cap: a power of two, or 0 */
	size_t nforeign;		/* claims with foreign set */
	size_t nchanged;		/* claims with changed set */
	/* a refresh under way (claims_begin .. claims_end) */
	struct claim **todo;
	size_t ntodo;
	char *zdn;
	const struct own *own;
};

/* What a look-up needs. */
struct claim_ctx {
	struct dir *dir;
	const struct own *own;
	const char *base, *partition;	/* where the zones live */
	int full;			/* look every name up again */
	const struct scope *scope;	/* NULL, or only the registrations of
					 * its VMs changed since the last pass */
};

/* Look up the VM and group names of cfg->host's live registrations, as
 * above.  0, or -1 with err on a directory failure (conflicts found so
 * far stay in force). */
int claims_refresh(struct claims *cl, const struct claim_ctx *cx,
    const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, char *err, size_t errlen);
/* The same in steps, so a paged scan of the forward zone (a full pass)
 * answers the look-ups instead of searches of their own: claims_begin
 * queues the names, claims_scan_node (a dir_node_fn, ctx the claims) takes
 * each node the scan reads, claims_end settles them (scanned: the scan
 * covered the whole zone; else the names are searched for). */
int claims_begin(struct claims *cl, const struct claim_ctx *cx,
    const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, char *err, size_t errlen);
int claims_scan_node(void *ctx, const char *name, const struct dir_node *n,
    char *err, size_t errlen);
int claims_end(struct claims *cl, const struct claim_ctx *cx, int scanned,
    char *err, size_t errlen);
/* For model_config.withheld: 1 if name is in conflict. */
int claims_withheld(const void *cl, const char *name);
/* Forget name (its registration is gone). */
void claims_forget(struct claims *cl, const char *name);
/* Look everything up again at the next refresh (after a failure). */
void claims_unverify(struct claims *cl);
/* 1 if a name's conflict appeared or cleared since the last report. */
int claims_changed(const struct claims *cl);
/* Log each change since the last report once: a conflict that appeared
 * (warning) or cleared (info). */
void claims_report(struct claims *cl, const char *zone);
/* The names in conflict, sorted; free the array (not the claims). */
const struct claim **claims_conflicts(const struct claims *cl, size_t *n);
void claims_free(struct claims *cl);

#endif
