/*
 * claim.c - the names vmgroupd points at, and whether it may (claim.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "ownproof.h"
#include "dn.h"
#include "log.h"
#include "xmem.h"

/* FNV-1a of a name. */
static uint64_t
claim_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return h;
}

/* The slot of name, or the free slot where it would go (cap > 0). */
static size_t
claim_slot(const struct claims *cl, const char *name)
{
	size_t mask = cl->cap - 1, i = (size_t)claim_hash(name) & mask;

	while (cl->map[i] != NULL && strcmp(cl->map[i]->name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static struct claim *
claim_find(const struct claims *cl, const char *name)
{
	return cl->n == 0 ? NULL : cl->map[claim_slot(cl, name)];
}

/* Room for one more at a load of 3/4 at most. */
static void
claim_grow(struct claims *cl)
{
	struct claim **old = cl->map;
	size_t i, j, mask, oldcap = cl->cap;

	if ((cl->n + 1) * 4 <= cl->cap * 3)
		return;
	cl->cap = oldcap != 0 ? oldcap * 2 : 64;
	cl->map = xcalloc(cl->cap, sizeof(*cl->map));
	mask = cl->cap - 1;
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL)
			continue;
		j = (size_t)claim_hash(old[i]->name) & mask;
		while (cl->map[j] != NULL)
			j = (j + 1) & mask;
		cl->map[j] = old[i];
	}
	free(old);
}

/* Take c out of the map and free it, moving back the claims after it
 * that may not stay behind a hole (no tombstones). */
static void
claim_remove(struct claims *cl, struct claim *c)
{
	size_t mask = cl->cap - 1, i = claim_slot(cl, c->name), j, home;

	cl->nforeign -= c->foreign;
	cl->nchanged -= c->changed;
	free(c);
	for (j = i;;) {
		j = (j + 1) & mask;
		if (cl->map[j] == NULL)
			break;
		home = (size_t)claim_hash(cl->map[j]->name) & mask;
		if (j > i ? (home <= i || home > j) : (home <= i && home > j)) {
			cl->map[i] = cl->map[j];
			i = j;
		}
	}
	cl->map[i] = NULL;
	cl->n--;
}

static struct claim *
claim_get(struct claims *cl, const char *name, enum claim_kind kind)
{
	struct claim *c = claim_find(cl, name);
	size_t len;

	if (c == NULL) {
		len = strnlen(name, NAME_LABEL_BUF - 1);
		c = xcalloc(1, sizeof(*c) + len + 1);
		memcpy(c->name, name, len);
		c->kind = kind;
		claim_grow(cl);
		cl->map[claim_slot(cl, c->name)] = c;
		cl->n++;
	}
	return c;
}

/* Which names are to be looked up this pass. */
struct claim_todo {
	struct claim **c;	/* to look up */
	size_t n;
	struct claim **seen;	/* marked seen this pass */
	size_t nseen;
};

/* Want name this pass; queue a look-up unless it is known to be free and
 * no full pass is due. */
static void
claim_want(struct claims *cl, const struct claim_ctx *cx,
    struct claim_todo *todo, const char *name, enum claim_kind kind,
    int live_only)
{
	struct claim *c = claim_get(cl, name, kind);

	if (c->seen)
		return;
	c->seen = 1;
	todo->seen = xreallocarray(todo->seen, todo->nseen + 1,
	    sizeof(*todo->seen));
	todo->seen[todo->nseen++] = c;
	if (c->verified && !c->foreign && !cx->full)
		return;
	c->pending = 1;
	c->live_only = live_only;
	c->found = c->found_tomb = c->found_ours = 0;
	todo->c = xreallocarray(todo->c, todo->n + 1, sizeof(*todo->c));
	todo->c[todo->n++] = c;
}

struct claim_scan {
	struct claims *cl;
	const struct claim_ctx *cx;
	const char *zdn;
};

/* 1 if n is vmgroupd's (the service account owns it) and a tombstone or
 * holding one owner value: some vmgroupd host's. */
static int
claim_fleet(const struct dir_node *n)
{
	struct ownrec o;

	return n->owner == DIR_OWNER_SELF && (n->tombstoned ||
	    ownproof_value(n->values, n->nvalues, &o) == 1);
}

/* 1 if n may be vmgroupd's but its owner was not read (a zone scan:
 * dirnode.c reads owners in look-ups only). */
static int
claim_maybe_fleet(const struct dir_node *n)
{
	struct ownrec o;

	return n->owner == DIR_OWNER_UNKNOWN && (n->tombstoned ||
	    ownproof_value(n->values, n->nvalues, &o) == 1);
}

/* A node the look-up found: note it on its claim. */
static int
claim_found(void *ctx, const char *name, const struct dir_node *n,
    char *err, size_t errlen)
{
	struct claim_scan *s = ctx;
	char lower[NAME_LABEL_BUF], *dn = NULL;
	struct claim *c;
	size_t i;

	(void)err;
	(void)errlen;
	for (i = 0; name[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] - 'A' + 'a' : name[i]);
	lower[i] = '\0';
	c = claim_find(s->cl, lower);
	if (c == NULL || !c->pending)
		return 0;
	c->found = 1;
	c->found_tomb = n->tombstoned;
	/* ours, or a vmgroupd host's (ownproof.h): the write decides
	 * whether this host takes it over */
	c->found_ours = (dn_node(s->zdn, lower, &dn) == 0 &&
	    own_has(s->cl->own, OWN_NODE, dn)) || claim_fleet(n);
	c->recheck = !c->found_ours && claim_maybe_fleet(n);
	free(dn);
	return 0;
}

/* Settle a looked-up claim. */
static void
claim_settle(struct claims *cl, struct claim *c)
{
	int held = c->found && !c->found_ours &&
	    !(c->live_only && c->found_tomb);

	if (held != c->foreign) {
		cl->nforeign += held ? 1 : (size_t)-1;
		c->foreign = held;
		c->changed = !c->changed;	/* a flip back cancels */
		cl->nchanged += c->changed ? 1 : (size_t)-1;
	}
	c->verified = 1;
	c->pending = 0;
}

/* Look the queued names up, CLAIM_BATCH per search. */
static int
claim_lookup(struct claims *cl, const struct claim_ctx *cx, const char *zdn,
    struct claim_todo *todo, char *err, size_t errlen)
{
	struct claim_scan s = { cl, cx, zdn };
	const char *names[CLAIM_BATCH];
	char *filter = NULL;
	size_t i, k, n;

	for (i = 0; i < todo->n; i += n) {
		n = todo->n - i < CLAIM_BATCH ? todo->n - i : CLAIM_BATCH;
		for (k = 0; k < n; k++)
			names[k] = todo->c[i + k]->name;
		if (dn_filter_nodes(names, n, &filter) == -1) {
			(void)xsnprintf(err, errlen, "cannot build a filter "
			    "for %s", names[0]);
			return -1;
		}
		if (dir_node_scan(cx->dir, zdn, filter, claim_found, &s, err,
		    errlen) == -1) {
			free(filter);
			return -1;
		}
		free(filter);
		for (k = 0; k < n; k++)
			claim_settle(cl, todo->c[i + k]);
	}
	return 0;
}

/* Drop what no registration names any more (collected first: a removal
 * moves other claims in the map). */
static void
claims_sweep(struct claims *cl)
{
	struct claim **gone, *c;
	size_t i, n = 0;

	gone = xcalloc(cl->n + 1, sizeof(*gone));
	for (i = 0; i < cl->cap; i++) {
		if ((c = cl->map[i]) == NULL)
			continue;
		if (c->seen)
			c->seen = 0;
		else
			gone[n++] = c;
	}
	for (i = 0; i < n; i++)
		claim_remove(cl, gone[i]);
	free(gone);
}

/* The names of r: its VM's and its group's. */
static void
claim_want_reg(struct claims *cl, const struct claim_ctx *cx,
    struct claim_todo *todo, const struct model_config *cfg,
    const struct model_reg *r)
{
	char gname[NAME_LABEL_BUF];

	claim_want(cl, cx, todo, r->vm, CLAIM_VM, !cfg->vm_records);
	if (model_group_name(cfg, r, gname) == 0)
		claim_want(cl, cx, todo, gname, CLAIM_GROUP, 0);
}

/* A scoped pass: the names of the changed registrations (a VM gone or
 * moved away forgets its claim), and those in conflict, looked up again;
 * the rest stay as the last full pass left them. */
static void
claims_scoped(struct claims *cl, const struct claim_ctx *cx,
    struct claim_todo *todo, const struct model_regs *regs,
    const struct model_config *cfg, int64_t now)
{
	const struct scope_key *k;
	const struct model_reg *r;
	struct claim *c;
	size_t i;

	for (k = cx->scope->vms; k != NULL; k = k->hh.next) {
		HASH_FIND_STR(regs->by_vm, k->key, r);
		if (r != NULL && strcmp(r->host, cfg->host) == 0 &&
		    (r->expires == 0 || r->expires > now))
			claim_want_reg(cl, cx, todo, cfg, r);
		else
			claims_forget(cl, k->key);
	}
	/* no claim is added here (each is there): the map stays put */
	for (i = 0; cl->nforeign > 0 && i < cl->cap; i++)
		if ((c = cl->map[i]) != NULL && c->foreign)
			claim_want(cl, cx, todo, c->name, c->kind,
			    c->kind == CLAIM_VM && !cfg->vm_records);
	for (i = 0; i < todo->nseen; i++)
		todo->seen[i]->seen = 0;
}

int
claims_begin(struct claims *cl, const struct claim_ctx *cx,
    const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, char *err, size_t errlen)
{
	struct claim_todo todo = { NULL, 0, NULL, 0 };
	const struct model_reg *r;

	free(cl->todo);
	free(cl->zdn);
	cl->todo = NULL;
	cl->ntodo = 0;
	cl->own = cx->own;
	if (dn_zone(cx->base, cx->partition, cfg->zone, &cl->zdn) == -1) {
		(void)xsnprintf(err, errlen, "zone %s: cannot build its DN",
		    cfg->zone);
		return -1;
	}
	if (cx->scope != NULL)
		claims_scoped(cl, cx, &todo, regs, cfg, now);
	for (r = regs->by_vm; cx->scope == NULL && r != NULL;
	    r = r->hh.next) {
		if (strcmp(r->host, cfg->host) != 0 ||
		    (r->expires != 0 && r->expires <= now))
			continue;
		claim_want_reg(cl, cx, &todo, cfg, r);
	}
	free(todo.seen);
	cl->todo = todo.c;
	cl->ntodo = todo.n;
	return 0;
}

int
claims_scan_node(void *ctx, const char *name, const struct dir_node *n,
    char *err, size_t errlen)
{
	struct claims *cl = ctx;
	struct claim_scan s = { cl, NULL, cl->zdn };

	return cl->zdn == NULL ? 0 : claim_found(&s, name, n, err, errlen);
}

int
claims_end(struct claims *cl, const struct claim_ctx *cx, int scanned,
    char *err, size_t errlen)
{
	struct claim_todo todo = { cl->todo, cl->ntodo, NULL, 0 };
	struct claim *c;
	size_t i, k;
	int rc = 0;

	if (scanned) {
		/* settled, but those a vmgroupd host may own: looked up
		 * again, with their owners */
		for (i = k = 0; i < todo.n; i++)
			if (!todo.c[i]->recheck)
				claim_settle(cl, todo.c[i]);
			else
				todo.c[k++] = todo.c[i];
		todo.n = k;
	}
	rc = todo.n == 0 ? 0 :
	    claim_lookup(cl, cx, cl->zdn, &todo, err, errlen);
	if (rc == 0 && cx->scope == NULL)
		claims_sweep(cl);
	if (rc == -1)
		for (i = 0; i < cl->cap; i++)
			if ((c = cl->map[i]) != NULL)
				c->seen = c->pending = 0;
	free(cl->todo);
	free(cl->zdn);
	cl->todo = NULL;
	cl->ntodo = 0;
	cl->zdn = NULL;
	return rc;
}

int
claims_refresh(struct claims *cl, const struct claim_ctx *cx,
    const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, char *err, size_t errlen)
{
	if (claims_begin(cl, cx, regs, cfg, now, err, errlen) == -1)
		return -1;
	return claims_end(cl, cx, 0, err, errlen);
}

int
claims_withheld(const void *ctx, const char *name)
{
	const struct claims *cl = ctx;
	struct claim *c;

	if (cl->nforeign == 0)
		return 0;
	c = claim_find(cl, name);
	return c != NULL && c->foreign;
}

void
claims_forget(struct claims *cl, const char *name)
{
	struct claim *c = claim_find(cl, name);

	if (c != NULL)
		claim_remove(cl, c);
}

void
claims_unverify(struct claims *cl)
{
	size_t i;

	for (i = 0; i < cl->cap; i++)
		if (cl->map[i] != NULL)
			cl->map[i]->verified = 0;
}

int
claims_changed(const struct claims *cl)
{
	return cl->nchanged > 0;
}

void
claims_report(struct claims *cl, const char *zone)
{
	struct claim *c;
	size_t i;

	for (i = 0; cl->nchanged > 0 && i < cl->cap; i++) {
		if ((c = cl->map[i]) == NULL || !c->changed)
			continue;
		c->changed = 0;
		cl->nchanged--;
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
	size_t i;

	*n = 0;
	v = xcalloc(cl->nforeign + 1, sizeof(*v));
	for (i = 0; *n < cl->nforeign && i < cl->cap; i++)
		if ((c = cl->map[i]) != NULL && c->foreign)
			v[(*n)++] = c;
	qsort(v, *n, sizeof(*v), claim_qcmp);
	return v;
}

void
claims_free(struct claims *cl)
{
	size_t i;

	for (i = 0; i < cl->cap; i++)
		free(cl->map[i]);
	free(cl->map);
	cl->map = NULL;
	cl->cap = cl->n = 0;
	free(cl->todo);
	free(cl->zdn);
	cl->todo = NULL;
	cl->zdn = NULL;
	cl->ntodo = 0;
	cl->nforeign = 0;
	cl->nchanged = 0;
}
