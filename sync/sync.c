/*
 * sync.c - one pass: the wanted nodes and objects written (node.c,
 * group.c), those of ours nobody wants tombstoned or deleted, never
 * touching what we do not own.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "group.h"
#include "node.h"
#include "sync.h"
#include "writes.h"
#include "xmem.h"

#define SYNC_CHUNK 1024		/* node writes planned at once */

/* The DNs a pass wants: a cache (cache.h) of their keys, each put with
 * SYNC_WANTED.  Two DNs of one key could only keep a node or object of
 * ours from being tombstoned or deleted, never have one written. */
#define SYNC_WANTED 1

static void
dn_set_add(struct cache *set, const char *dn)
{
	cache_put(set, dn, SYNC_WANTED);
}

static int
dn_set_has(const struct cache *set, const char *dn)
{
	return cache_fresh(set, dn, SYNC_WANTED);
}

/* DNs to drop from the ownership record once its list is walked (own.h:
 * the list is valid only until the record changes). */
struct sync_forget {
	char **dns;
	size_t n, cap;
};

static void
sync_forget_add(struct sync_forget *f, const char *dn)
{
	if (f->n == f->cap) {
		f->cap = f->cap == 0 ? 16 : f->cap * 2;
		f->dns = xreallocarray(f->dns, f->cap, sizeof(*f->dns));
	}
	f->dns[f->n++] = xstrdup(dn);
}

static void
sync_forget_apply(struct sync_forget *f, struct own *own, enum own_kind k)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		own_del(own, k, f->dns[i]);
		free(f->dns[i]);
	}
	free(f->dns);
	memset(f, 0, sizeof(*f));
}

static int
sync_str_qcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A stop was asked for (SIGTERM): end the pass before the next write. */
static int
sync_stopping(const struct sync_params *p, char *err, size_t errlen)
{
	if (p->stop == NULL || !p->stop())
		return 0;
	(void)xsnprintf(err, errlen, "stopped by a signal");
	return -1;
}

/* The cache to consult: none in a full reconcile. */
static const struct cache *
sync_cache(const struct sync_params *p)
{
	return p->full ? NULL : p->cache;
}

/* The planned writes run (unless a stop was asked for) and freed: w is
 * empty again. */
static int
sync_flush(struct dir *d, struct own *own, const struct sync_params *p,
    struct writes *w, struct sync_stats *st, char *err, size_t errlen)
{
	int rc;

	rc = sync_stopping(p, err, errlen);
	if (rc == 0)
		rc = writes_run(w, d, own, p->view, p, st, err, errlen);
	writes_free(w);
	memset(w, 0, sizeof(*w));
	return rc;
}

/* Plan the write of one wanted node: a patched one against the view (it
 * must hold it live: only a whole build may write it else), another
 * unless the cache says it holds it already. */
static int
sync_plan(struct writes *w, struct own *own, const struct sync_params *p,
    const char *dn, const struct model_node *node, struct sync_stats *st,
    char *err, size_t errlen)
{
	uint64_t digest;

	if (node->gone != NULL) {
		if (writes_patch(w, own, p->view, dn, node, st) != -1)
			return 0;
		st->stale++;
		(void)xsnprintf(err, errlen, "%s is not as the last pass left "
		    "it", dn);
		return -1;
	}
	/* the digest serves the cache only (none for --once) */
	digest = p->cache != NULL ? node_digest(node) : 0;
	if (cache_fresh(sync_cache(p), dn, digest))
		st->cached++;
	else if (writes_want(w, own, p->view, dn, node, digest, st))
		cache_put(p->cache, dn, digest);
	return 0;
}

/* The wanted nodes of one pass: VM nodes first (pass 0), so a VM whose
 * name is taken is found before anything is written for it.  The writes
 * go out SYNC_CHUNK at a time (the ownership record saved once for each
 * chunk): what a pass plans is bounded, not the number of VMs.  A chunk
 * that fails ends the pass (nothing unwanted is looked at then). */
/* The patched groups' objects of a pass between full reconciles (their
 * modifies sent with the last node writes, not after them). */
struct sync_gplan {
	struct group_plan *pl;
	const struct sync_params *p;
	struct sync_stats *st;
};
struct sync_gplans {
	struct sync_gplan *v;
	size_t n;
};

static void
sync_gplan_done(void *ctx, int ok)
{
	struct sync_gplan *g = ctx;

	group_plan_done(g->p->gview, g->p->cache, g->pl, ok, g->st);
}

static void
sync_gplans_free(struct sync_gplans *gp)
{
	size_t i;

	for (i = 0; i < gp->n; i++)
		group_plan_free(gp->v[i].pl);
	free(gp->v);
	memset(gp, 0, sizeof(*gp));
}

static int
sync_gplans_make(struct own *own, const struct sync_params *p,
    const struct model_desired *want, struct sync_gplans *gp,
    struct sync_stats *st, char *err, size_t errlen)
{
	struct group_plan *pl;
	char *dn = NULL;
	size_t i;
	int rc = 0;

	memset(gp, 0, sizeof(*gp));
	gp->v = xcalloc(want->ngroups + 1, sizeof(*gp->v));
	for (i = 0; i < want->ngroups && rc != -1; i++) {
		if (!want->groups[i].patch || p->scope == NULL)
			continue;
		if (dn_child(p->ou, "CN", want->groups[i].name, &dn) == -1) {
			(void)xsnprintf(err, errlen, "cannot build the DN of "
			    "group %s", want->groups[i].name);
			rc = -1;
			break;
		}
		rc = group_patch_plan(p->gview, own, dn, &want->groups[i],
		    p->now, &pl, st, err, errlen);
		if (rc == 1)
			gp->v[gp->n++] = (struct sync_gplan){ pl, p, st };
		free(dn);
	}
	if (rc == -1)
		sync_gplans_free(gp);
	return rc == -1 ? -1 : 0;
}

static void
sync_gplans_queue(struct writes *w, struct sync_gplans *gp)
{
	const struct dir_mod *m;
	size_t i, n;

	for (i = 0; gp != NULL && i < gp->n; i++) {
		m = group_plan_mods(gp->v[i].pl, &n);
		writes_mods(w, group_plan_dn(gp->v[i].pl), m, n,
		    sync_gplan_done, &gp->v[i]);
	}
}

static int
sync_wanted(struct dir *d, struct own *own, const struct sync_params *p,
    const struct model_desired *want, int pass, struct sync_gplans *gp,
    struct cache *wanted, struct sync_stats *st, char *err, size_t errlen)
{
	struct writes w;
	char *zdn = NULL, *dn = NULL;
	size_t i;
	int rc;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < want->nnodes; i++) {
		const struct model_node *node = &want->nodes[i];

		if ((node->kind == MODEL_NODE_VM) != (pass == 0))
			continue;
		if (dn_zone(p->base, p->partition, node->zone, &zdn) == -1 ||
		    dn_node(zdn, node->name, &dn) == -1) {
			(void)xsnprintf(err, errlen, "cannot build the DN of %s",
			    node->name);
			free(zdn);
			writes_free(&w);
			return -1;
		}
		free(zdn);
		dn_set_add(wanted, dn);
		rc = sync_plan(&w, own, p, dn, node, st, err, errlen);
		free(dn);
		if (rc == -1) {
			writes_free(&w);
			return -1;
		}
		if (w.n + w.nreads >= SYNC_CHUNK &&
		    sync_flush(d, own, p, &w, st, err, errlen) == -1)
			return -1;
	}
	sync_gplans_queue(&w, gp);	/* with the last writes */
	return sync_flush(d, own, p, &w, st, err, errlen);
}

/* The nodes of ours that might be unwanted: all of them (a walk of the
 * record, valid while it does not change), or those in scope (built). */
struct sync_cands {
	const char **v;
	char **built;		/* the strings of v built here, or NULL */
	size_t n, i;
	struct own_walk walk;	/* all of them: v unused */
	int walking;
};

static void
sync_candidates(struct own *own, const struct sync_params *p,
    struct sync_cands *c)
{
	const struct scope_key *k;
	char *zdn = NULL, *dn = NULL;
	size_t m = 0;

	memset(c, 0, sizeof(*c));
	if (p->scope == NULL) {
		c->n = own_walk_under(&c->walk, own, OWN_NODE, NULL);
		c->walking = 1;
		return;
	}
	c->built = xcalloc(HASH_COUNT(p->scope->nodes) + 1, sizeof(*c->built));
	c->v = xcalloc(HASH_COUNT(p->scope->nodes) + 1, sizeof(*c->v));
	for (k = p->scope->nodes; k != NULL; k = k->hh.next) {
		if (dn_zone(p->base, p->partition, k->zone, &zdn) == 0 &&
		    dn_node(zdn, k->name, &dn) == 0 &&
		    own_has(own, OWN_NODE, dn)) {
			c->v[m] = c->built[m] = dn;
			m++;
			dn = NULL;
		}
		free(zdn);
		free(dn);
		zdn = dn = NULL;
	}
	c->n = m;
}

/* The next candidate, NULL at the end. */
static const char *
sync_cands_next(struct sync_cands *c)
{
	if (c->walking)
		return own_walk_next(&c->walk);
	return c->i < c->n ? c->v[c->i++] : NULL;
}

static void
sync_cands_free(struct sync_cands *c)
{
	size_t i;

	if (c->walking)
		own_walk_end(&c->walk);
	for (i = 0; c->built != NULL && i < c->n; i++)
		free(c->built[i]);
	free(c->built);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* The nodes of ours nobody wants: tombstoned; those purged meanwhile
 * leave the record after the walk (which plans only: the record does not
 * change before the candidates are freed). */
static int
sync_unwanted(struct dir *d, struct own *own, const struct sync_params *p,
    struct cache *wanted, struct sync_stats *st, char *err, size_t errlen)
{
	struct sync_forget forget = { NULL, 0, 0 }, gone = { NULL, 0, 0 };
	struct sync_cands c;
	struct writes w;
	const char *dn;
	size_t i;
	int rc;

	memset(&w, 0, sizeof(w));
	sync_candidates(own, p, &c);
	while ((dn = sync_cands_next(&c)) != NULL) {
		if (dn_set_has(wanted, dn))
			continue;
		if (cache_fresh(sync_cache(p), dn, CACHE_DIGEST_TOMBSTONE)) {
			st->cached++;
			continue;
		}
		sync_forget_add(&gone, dn);
	}
	sync_cands_free(&c);
	/* the walk has no order: the few unwanted ones planned in DN order */
	if (gone.n > 1)
		qsort(gone.dns, gone.n, sizeof(*gone.dns), sync_str_qcmp);
	for (i = 0; i < gone.n; i++) {
		cache_put(p->cache, gone.dns[i], CACHE_DIGEST_TOMBSTONE);
		if (writes_unwanted(&w, p->view, gone.dns[i], p->now))
			sync_forget_add(&forget, gone.dns[i]);
	}
	rc = sync_stopping(p, err, errlen);
	if (rc == 0)
		rc = writes_run(&w, d, own, p->view, p, st, err, errlen);
	for (i = 0; i < w.ngone; i++)
		sync_forget_add(&forget, w.gone[i]);
	writes_free(&w);
	for (i = 0; i < gone.n; i++)
		free(gone.dns[i]);
	free(gone.dns);
	sync_forget_apply(&forget, own, OWN_NODE);
	return rc;
}

/* Is zone/name a live node of ours the view knows? */
static int
sync_live(const struct sync_patch_ctx *c, const char *name)
{
	const struct view_node *vn;
	char *zdn = NULL, *dn = NULL;
	int live = 0;

	if (dn_zone(c->p->base, c->p->partition, c->zone, &zdn) == 0 &&
	    dn_node(zdn, name, &dn) == 0) {
		vn = view_get(c->p->view, dn);
		live = vn != NULL && vn->exists && !vn->tombstoned &&
		    own_has(c->own, OWN_NODE, dn);
	}
	free(zdn);
	free(dn);
	return live;
}

int
sync_patchable(void *ctx, const char *group)
{
	const struct sync_patch_ctx *c = ctx;
	char srv[NAME_FQDN_BUF], *dn = NULL;
	int ok;

	if (c->p->full || c->p->view == NULL || c->p->gview == NULL ||
	    name_srv_group(group, srv) == -1 || !sync_live(c, group) ||
	    !sync_live(c, srv) || dn_child(c->p->ou, "CN", group, &dn) == -1)
		return 0;
	ok = group_patchable(c->p->gview, c->own, dn);
	free(dn);
	return ok;
}

/* Is the group object dn in the pass's scope? */
static int
sync_in_scope(const struct sync_params *p, const char *dn)
{
	char name[NAME_LABEL_BUF];

	if (p->scope == NULL)
		return 1;
	return dn_first_value(dn, name, sizeof(name)) == 0 &&
	    scope_has_group(p->scope, name);
}

/* A full pass reads the group objects it wants and those of ours with one
 * search, not one each. */
static int
sync_groups_load(struct dir *d, struct own *own, const struct sync_params *p,
    const struct model_desired *want, char *err, size_t errlen)
{
	const char **owned, **names;
	char (*held)[NAME_LABEL_BUF];
	size_t i, n, k = 0;
	int rc;

	if (!p->full || p->gview == NULL)
		return 0;
	owned = own_list(own, OWN_GROUP, &n);
	names = xcalloc(want->ngroups + n + 1, sizeof(*names));
	held = xcalloc(n + 1, sizeof(*held));
	for (i = 0; i < want->ngroups; i++)
		names[k++] = want->groups[i].name;
	for (i = 0; i < n; i++)
		if (dn_first_value(owned[i], held[i], sizeof(held[i])) == 0)
			names[k++] = held[i];
	rc = group_view_load(p->gview, d, own, p->ou, names, k, err, errlen);
	free(held);
	free(names);
	free(owned);
	return rc;
}

static int
sync_groups(struct dir *d, struct own *own, const struct sync_params *p,
    const struct model_desired *want, struct cache *wanted,
    struct sync_stats *st, char *err, size_t errlen)
{
	struct sync_forget forget = { NULL, 0, 0 };
	const char **owned;
	char *dn;
	size_t i, n;
	int gone, rc;

	rc = sync_groups_load(d, own, p, want, err, errlen);
	for (i = 0; i < want->ngroups && rc == 0; i++) {
		if (sync_stopping(p, err, errlen) == -1)
			return -1;
		if (dn_child(p->ou, "CN", want->groups[i].name, &dn) == -1) {
			(void)xsnprintf(err, errlen, "cannot build the DN of "
			    "group %s", want->groups[i].name);
			return -1;
		}
		dn_set_add(wanted, dn);
		if (!want->groups[i].patch || p->scope == NULL)
			rc = group_sync(d, own, dn, &want->groups[i], p, st,
			    err, errlen);	/* patches: sent with the nodes */
		free(dn);
	}
	owned = own_list(own, OWN_GROUP, &n);
	for (i = 0; i < n && rc == 0; i++) {
		if (dn_set_has(wanted, owned[i]) || !sync_in_scope(p, owned[i]))
			continue;
		rc = group_gone(d, p, owned[i], &gone, st, err, errlen);
		if (rc == 0 && gone)
			sync_forget_add(&forget, owned[i]);
	}
	free(owned);
	sync_forget_apply(&forget, own, OWN_GROUP);
	return rc;
}

/* The nodes of parts 1 and on, one part built at a time. */
static int
sync_parts(struct dir *d, struct own *own, const struct sync_params *p,
    struct cache *wanted, struct sync_stats *st, char *err, size_t errlen)
{
	struct model_desired more;
	unsigned k;
	int rc = 0, pass;

	for (k = 1; rc == 0 && k < p->nparts && p->part != NULL; k++) {
		if ((rc = p->part(p->part_ctx, k, &more, err, errlen)) == -1)
			break;
		for (pass = 0; rc == 0 && pass < 2; pass++)
			rc = sync_wanted(d, own, p, &more, pass, NULL, wanted,
			    st, err, errlen);
		model_desired_free(&more);
	}
	return rc;
}

int
sync_apply(struct dir *d, struct own *own, const struct sync_params *p,
    struct model_desired *want, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct cache wanted = { NULL, 0, 0 };
	struct sync_gplans gp;
	char err2[256];
	int rc;

	memset(st, 0, sizeof(*st));
	rc = sync_wanted(d, own, p, want, 0, NULL, &wanted, st, err, errlen);
	if (rc == 0)
		rc = sync_gplans_make(own, p, want, &gp, st, err, errlen);
	if (rc == 0) {
		rc = sync_wanted(d, own, p, want, 1, &gp, &wanted, st, err,
		    errlen);
		sync_gplans_free(&gp);
	}
	model_desired_drop_nodes(want);	/* written: room for the next */
	if (rc == 0)
		rc = sync_parts(d, own, p, &wanted, st, err, errlen);
	if (rc == 0)
		rc = sync_unwanted(d, own, p, &wanted, st, err, errlen);
	if (rc == 0)
		rc = sync_groups(d, own, p, want, &wanted, st, err, errlen);
	cache_clear(&wanted);
	if (own_save(own, err2, sizeof(err2)) == -1) {
		if (rc == 0)
			(void)xstrlcpy(err, err2, errlen);
		rc = -1;
	}
	return rc;
}
