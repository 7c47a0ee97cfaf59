/*
 * claim.c - the names vmgroupd points at, and whether it may (claim.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "dn.h"
#include "log.h"
#include "xmem.h"

static struct claim *
claim_get(struct claims *cl, const char *name, enum claim_kind kind)
{
	struct claim *c;

	HASH_FIND_STR(cl->map, name, c);
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		(void)xstrlcpy(c->name, name, sizeof(c->name));
		c->kind = kind;
		HASH_ADD_STR(cl->map, name, c);
	}
	return c;
}

/* Is the node of name held by another?  0 no, 1 yes, -1 failure. */
static int
claim_lookup(const struct claim_ctx *cx, const char *zdn, const char *name,
    int live_only, char *err, size_t errlen)
{
	struct dir_node n;
	char *dn = NULL;
	int rc = -1;

	if (dn_node(zdn, name, &dn) == -1) {
		(void)xsnprintf(err, errlen, "cannot build the DN of %s", name);
		return -1;
	}
	if (dir_node_read(cx->dir, dn, &n, err, errlen) == -1)
		goto out;
	rc = n.exists && !own_has(cx->own, OWN_NODE, dn) &&
	    !(live_only && n.tombstoned);
	dir_node_free(&n);
out:
	free(dn);
	return rc;
}

/* Check one name, unless it is known to be free and no full pass is due. */
static int
claim_check(struct claims *cl, const struct claim_ctx *cx, const char *zdn,
    const char *name, enum claim_kind kind, int live_only, char *err,
    size_t errlen)
{
	struct claim *c = claim_get(cl, name, kind);
	int held;

	if (c->seen)
		return 0;
	c->seen = 1;
	if (c->verified && !c->foreign && !cx->full)
		return 0;
	held = claim_lookup(cx, zdn, name, live_only, err, errlen);
	if (held == -1)
		return -1;
	if (held != c->foreign) {
		c->foreign = held;
		c->changed = !c->changed;	/* a flip back cancels */
	}
	c->verified = 1;
	return 0;
}

/* Drop what no registration names any more. */
static void
claims_sweep(struct claims *cl)
{
	struct claim *c, *tmp;

	HASH_ITER(hh, cl->map, c, tmp) {
		if (c->seen) {
			c->seen = 0;
			continue;
		}
		HASH_DEL(cl->map, c);
		free(c);
	}
}

int
claims_refresh(struct claims *cl, const struct claim_ctx *cx,
    const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, char *err, size_t errlen)
{
	const struct model_reg *r;
	char gname[NAME_LABEL_BUF], *zdn = NULL;
	int rc = -1;

	if (dn_zone(cx->base, cx->partition, cfg->zone, &zdn) == -1) {
		(void)xsnprintf(err, errlen, "zone %s: cannot build its DN",
		    cfg->zone);
		return -1;
	}
	for (r = regs->by_vm; r != NULL; r = r->hh.next) {
		if (strcmp(r->host, cfg->host) != 0 ||
		    (r->expires != 0 && r->expires <= now))
			continue;
		if (claim_check(cl, cx, zdn, r->vm, CLAIM_VM, !cfg->vm_records,
		    err, errlen) == -1)
			goto out;
		if (model_group_name(cfg, r, gname) == 0 &&
		    claim_check(cl, cx, zdn, gname, CLAIM_GROUP, 0, err,
		    errlen) == -1)
			goto out;
	}
	claims_sweep(cl);
	rc = 0;
out:
	if (rc == -1) {
		struct claim *c;

		for (c = cl->map; c != NULL; c = c->hh.next)
			c->seen = 0;
	}
	free(zdn);
	return rc;
}

int
claims_withheld(const void *ctx, const char *name)
{
	const struct claims *cl = ctx;
	struct claim *c;

	HASH_FIND_STR(cl->map, name, c);
	return c != NULL && c->foreign;
}

void
claims_forget(struct claims *cl, const char *name)
{
	struct claim *c;

	HASH_FIND_STR(cl->map, name, c);
	if (c != NULL) {
		HASH_DEL(cl->map, c);
		free(c);
	}
}

void
claims_unverify(struct claims *cl)
{
	struct claim *c;

	for (c = cl->map; c != NULL; c = c->hh.next)
		c->verified = 0;
}

void
claims_report(struct claims *cl, const char *zone)
{
	struct claim *c;

	for (c = cl->map; c != NULL; c = c->hh.next) {
		if (!c->changed)
			continue;
		c->changed = 0;
		if (c->foreign && c->kind == CLAIM_VM)
			log_warnx("VM %s withheld: %s.%s is a DNS node vmgroupd "
			    "does not own; its PTR and SRV records and its "
			    "group membership are withdrawn until that node "
			    "is gone", c->name, c->name, zone);
		else if (c->foreign)
			log_warnx("group %s withheld: %s.%s is a DNS node "
			    "vmgroupd does not own; no SRV record, group object "
			    "or address points at it, and its VMs stay "
			    "registered until that node is gone", c->name,
			    c->name, zone);
		else
			log_info("%s %s: %s.%s is free again; publishing it",
			    c->kind == CLAIM_VM ? "VM" : "group", c->name,
			    c->name, zone);
	}
}

static int
claim_qcmp(const void *a, const void *b)
{
	const struct claim *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

const struct claim **
claims_conflicts(const struct claims *cl, size_t *n)
{
	const struct claim **v, *c;

	*n = 0;
	v = xcalloc(HASH_COUNT(cl->map) + 1, sizeof(*v));
	for (c = cl->map; c != NULL; c = c->hh.next)
		if (c->foreign)
			v[(*n)++] = c;
	qsort(v, *n, sizeof(*v), claim_qcmp);
	return v;
}

void
claims_free(struct claims *cl)
{
	struct claim *c, *tmp;

	HASH_ITER(hh, cl->map, c, tmp) {
		HASH_DEL(cl->map, c);
		free(c);
	}
}
