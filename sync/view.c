/*
 * view.c - what the directory holds, as far as vmgroupd knows (view.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "dn.h"
#include "dnsrec.h"
#include "log.h"
#include "ownproof.h"
#include "view.h"
#include "viewval.h"
#include "xmem.h"

#define VIEW_PARENTS 16

/* The owner values' prefixes (viewval.h): the same few for every view of
 * the process (immutable once added; kept to its end). */
static struct viewval view_vv;

/* Where dn's first RDN ends: its first comma not escaped, or NULL. */
static const char *
view_rdn_end(const char *dn)
{
	const char *comma = strchr(dn, ',');

	while (comma != NULL && comma > dn && comma[-1] == '\\')
		comma = strchr(comma + 1, ',');
	return comma;
}

/* 1 if e is the node of dn. */
static int
view_is(const struct view *v, const struct view_node *e, const char *dn)
{
	size_t len;

	if (e->parent == 0)
		return strcmp(e->rdn, dn) == 0;
	len = strlen(e->rdn);
	return strncmp(e->rdn, dn, len) == 0 && dn[len] == ',' &&
	    strcmp(dn + len + 1, v->parents[e->parent - 1]) == 0;
}

struct dir_value *
view_values(const struct view_node *vn)
{
	return viewval_values(&view_vv,
	    (const uint8_t *)vn->rdn + strlen(vn->rdn) + 1, vn->nvalues);
}

/* The slot of dn (key its cache key), or the free slot where it would
 * go: the key finds it, the DN itself decides. */
static size_t
view_slot(const struct view *v, uint64_t key, const char *dn)
{
	size_t mask = v->cap - 1, i = (size_t)key & mask;

	while (v->map[i] != NULL && (v->map[i]->key != key ||
	    !view_is(v, v->map[i], dn)))
		i = (i + 1) & mask;
	return i;
}

/* The view's copy of parent (a zone's DN), or NULL. */
static const char *
view_find_parent(const struct view *v, const char *parent)
{
	size_t i;

	for (i = 0; i < v->nparents; i++)
		if (strcmp(v->parents[i], parent) == 0)
			return v->parents[i];
	return NULL;
}

/* 1 + the index of the view's copy of parent, added if new. */
static uint8_t
view_parent(struct view *v, const char *parent)
{
	const char *known = view_find_parent(v, parent);
	size_t i;

	for (i = 0; known != NULL && i < v->nparents; i++)
		if (v->parents[i] == known)
			return (uint8_t)(i + 1);
	v->parents = xreallocarray(v->parents, v->nparents + 1,
	    sizeof(*v->parents));
	v->parents[v->nparents++] = xstrdup(parent);
	return (uint8_t)v->nparents;
}

uint64_t
view_digest_add(uint64_t digest, const uint8_t *val, size_t len)
{
	size_t head, tail, end;

	dnsrec_but_serial(val, len, &head, &tail, &end);
	return digest + cache_hash_parts((uint64_t)len, val, head, val + tail,
	    end - tail);
}

uint64_t
view_digest_sub(uint64_t digest, const uint8_t *val, size_t len)
{
	return digest - view_digest_add(0, val, len);
}

uint64_t
view_digest(const struct dir_value *vals, size_t n)
{
	uint64_t digest = 0;
	size_t i;

	for (i = 0; i < n; i++)
		digest = view_digest_add(digest, vals[i].val, vals[i].len);
	return digest;
}

const struct view_node *
view_get(const struct view *v, const char *dn)
{
	if (v->n == 0)
		return NULL;
	return v->map[view_slot(v, cache_key(dn), dn)];
}

/* Empty slot i, moving back the nodes after it that may not stay behind
 * a hole (linear probing, no tombstones). */
static void
view_remove_at(struct view *v, size_t i)
{
	size_t mask = v->cap - 1, j = i, home;

	free(v->map[i]);
	for (;;) {
		j = (j + 1) & mask;
		if (v->map[j] == NULL)
			break;
		home = (size_t)v->map[j]->key & mask;
		if (j > i ? (home <= i || home > j) : (home <= i && home > j)) {
			v->map[i] = v->map[j];
			i = j;
		}
	}
	v->map[i] = NULL;
	v->n--;
}

void
view_drop(struct view *v, const char *dn)
{
	size_t i;

	if (v->n == 0)
		return;
	i = view_slot(v, cache_key(dn), dn);
	if (v->map[i] != NULL)
		view_remove_at(v, i);
}

/* A node with copies of dn's first RDN and the values, all in one block
 * (the rest of dn: one of the view's parents; beyond VIEW_PARENTS of
 * them, whole DNs: a view of DNs of any shape stays small). */
static struct view_node *
view_node_new(struct view *v, uint64_t key, const char *dn, int exists,
    int tombstoned, const struct dir_value *vals, size_t n)
{
	const char *end = view_rdn_end(dn);
	struct view_node *e;
	size_t bytes, rlen = strlen(dn);

	if (end != NULL && (v->nparents < VIEW_PARENTS ||
	    view_find_parent(v, end + 1) != NULL))
		rlen = (size_t)(end - dn);
	else
		end = NULL;
	if (n > UINT32_MAX)
		fatalx("view: %zu values of one node", n);
	bytes = viewval_bytes(&view_vv, vals, n);
	e = xcalloc(1, sizeof(*e) + rlen + 1 + bytes);
	e->key = key;
	e->parent = end != NULL ? view_parent(v, end + 1) : 0;
	e->exists = exists != 0;
	e->tombstoned = exists && tombstoned;
	e->nvalues = (uint32_t)n;
	e->digest = view_digest(vals, n);
	memcpy(e->rdn, dn, rlen);
	viewval_put(&view_vv, (uint8_t *)e->rdn + rlen + 1, vals, n);
	return e;
}

/* The first free slot for key (keys in a new table are all different
 * nodes). */
static size_t
view_grow_slot(const struct view *v, uint64_t key)
{
	size_t mask = v->cap - 1, i = (size_t)key & mask;

	while (v->map[i] != NULL)
		i = (i + 1) & mask;
	return i;
}

/* Room for one more at a load of 1/2 at most. */
static void
view_grow(struct view *v)
{
	struct view old = *v;
	size_t i;

	if ((v->n + 1) * 2 <= v->cap)
		return;
	v->cap = old.cap != 0 ? old.cap * 2 : 256;
	v->map = xcalloc(v->cap, sizeof(*v->map));
	for (i = 0; i < old.cap; i++)
		if (old.map[i] != NULL)
			v->map[view_grow_slot(v, old.map[i]->key)] =
			    old.map[i];
	free(old.map);
}

void
view_put(struct view *v, const char *dn, int exists, int tombstoned,
    const struct dir_value *vals, size_t n)
{
	uint64_t key = cache_key(dn);
	struct view_node *e;
	size_t i;

	/* dn and vals may be the old node's: copied before it goes */
	e = view_node_new(v, key, dn, exists, tombstoned, vals,
	    exists ? n : 0);
	view_grow(v);
	i = view_slot(v, key, dn);
	if (v->map[i] == NULL)
		v->n++;
	free(v->map[i]);
	v->map[i] = e;
}

/* e (in slot i) grown to end + the adds' bytes, the adds put after its
 * kept values (which end at end). */
static void
view_patch_add(struct view *v, size_t i, struct view_node *e, size_t end,
    const struct dir_value *adds, size_t nadds)
{
	size_t k;

	e = xreallocarray(e, end + viewval_bytes(&view_vv, adds, nadds), 1);
	viewval_put(&view_vv, (uint8_t *)e + end, adds, nadds);
	for (k = 0; k < nadds; k++)
		e->digest = view_digest_add(e->digest, adds[k].val,
		    adds[k].len);
	e->nvalues += (uint32_t)nadds;
	v->map[i] = e;
}

int
view_patch(struct view *v, const char *dn, const size_t *dels, size_t ndels,
    const struct dir_value *adds, size_t nadds)
{
	struct view_node *e;
	uint8_t *r, *w, full[DNSREC_BUF];
	uint32_t k;
	size_t i, j, len;

	if (v->n == 0)
		return -1;
	i = view_slot(v, cache_key(dn), dn);
	e = v->map[i];
	if (e == NULL || !e->exists || e->tombstoned || ndels > e->nvalues ||
	    (size_t)e->nvalues - ndels + nadds > UINT32_MAX)
		return -1;
	for (j = 0; j < ndels; j++)	/* checked before anything moves */
		if (dels[j] >= e->nvalues || (j > 0 && dels[j] <= dels[j - 1]))
			return -1;
	r = w = (uint8_t *)e->rdn + strlen(e->rdn) + 1;
	for (k = 0, j = 0; k < e->nvalues; k++) {	/* the kept ones up */
		len = viewval_stored(r);
		if (j < ndels && dels[j] == k) {
			e->digest = view_digest_sub(e->digest, full,
			    viewval_get(&view_vv, r, full));
			j++;
		} else {
			if (w != r)
				memmove(w, r, len);
			w += len;
		}
		r += len;
	}
	e->nvalues -= (uint32_t)ndels;
	view_patch_add(v, i, e, (size_t)(w - (uint8_t *)e), adds, nadds);
	return 0;
}

void
view_put_node(struct view *v, const char *dn, const struct dir_node *n)
{
	view_put(v, dn, n->exists, n->tombstoned, n->values, n->nvalues);
}

void
view_clear(struct view *v)
{
	size_t i;

	for (i = 0; i < v->cap; i++)
		free(v->map[i]);
	free(v->map);
	for (i = 0; i < v->nparents; i++)
		free(v->parents[i]);
	free(v->parents);
	view_dns_free(&v->cnf, &v->ncnf);
	view_dns_free(&v->verify, &v->nverify);
	memset(v, 0, sizeof(*v));
}

void
view_dns_free(char ***dns, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*dns)[i]);
	free(*dns);
	*dns = NULL;
	*n = 0;
}

static void
view_dns_add(char ***dns, size_t *n, char *dn)
{
	*dns = xreallocarray(*dns, *n + 1, sizeof(**dns));
	(*dns)[(*n)++] = dn;
}

/* A replication-conflict copy ("<name>\nCNF:<GUID>": two DCs each
 * created the name before they replicated, one copy renamed) that the
 * directory proves is host's: noted for deletion (view.h). */
static int
view_scan_cnf(struct view_load *l, const char *name, const struct dir_node *n)
{
	struct ownrec o;
	char *dn = NULL;

	if (strstr(name, "\nCNF:") == NULL)
		return 0;
	if (l->host != NULL && n->owner != DIR_OWNER_OTHER && !n->tombstoned &&
	    ownproof_value(n->values, n->nvalues, &o) == 1 &&
	    strcmp(o.host, l->host) == 0 &&
	    dn_cnf_node(l->zone_dn, name, &dn) == 0)
		view_dns_add(&l->v->cnf, &l->v->ncnf, dn);
	return 1;
}

size_t
view_count(const struct view *v)
{
	return v->n;
}

/* One node of the scan: kept if it is ours, taken into the ownership
 * record or dropped from it as the directory says (ownproof_scan). */
static int
view_scan_node(void *ctx, const char *name, const struct dir_node *n,
    char *err, size_t errlen)
{
	struct view_load *l = ctx;
	char lower[256], *dn = NULL;
	size_t i;
	int owned = 0, rc = 0;

	if (view_scan_cnf(l, name, n))
		return l->also != NULL ? l->also(l->also_ctx, name, n, err,
		    errlen) : 0;
	for (i = 0; name[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	if (dn_node(l->zone_dn, lower, &dn) == 0) {
		owned = own_has(l->own, OWN_NODE, dn);
		switch (l->host == NULL ? 0 :
		    ownproof_scan(n, owned, l->host)) {
		case 1:
			log_info("taking %s into the ownership record: the "
			    "directory says it is this host's", dn);
			own_add(l->own, OWN_NODE, dn);
			owned = 1;
			break;
		case 2:
			view_dns_add(&l->v->verify, &l->v->nverify,
			    xstrdup(dn));
			break;
		case -1:
			log_info("%s is another host's now: dropped from the "
			    "ownership record", dn);
			own_del(l->own, OWN_NODE, dn);
			owned = 0;
			break;
		}
	}
	if (l->also != NULL && l->also(l->also_ctx, name, n, err, errlen) == -1)
		rc = -1;
	else if (dn != NULL && owned)
		view_put_node(l->v, dn, n);
	free(dn);
	return rc;
}

void
view_load_start(struct view_load *l, struct view *v, struct dir *d,
    struct own *own, const char *host, const char *zone_dn, dir_node_fn also,
    void *also_ctx)
{
	struct own_walk w;
	const char *dn;

	*l = (struct view_load){ v, own, host, xstrdup(zone_dn), also,
	    also_ctx, { 0 } };
	/* the zone's DNs of the record one at a time: no copy of them all */
	(void)own_walk_under(&w, own, OWN_NODE, zone_dn);
	while ((dn = own_walk_next(&w)) != NULL)
		view_drop(v, dn);
	own_walk_end(&w);
	dir_scan_start(&l->scan, d, zone_dn, NULL, view_scan_node, l);
}

int
view_load_step(struct view_load *l, int wait, char *err, size_t errlen)
{
	struct own_walk w;
	const char *dn;
	int rc;

	if ((rc = dir_scan_step(&l->scan, wait, err, errlen)) != 0)
		return rc;
	(void)own_walk_under(&w, l->own, OWN_NODE, l->zone_dn);
	while ((dn = own_walk_next(&w)) != NULL)
		if (view_get(l->v, dn) == NULL)
			view_put(l->v, dn, 0, 0, NULL, 0);
	own_walk_end(&w);
	return 0;
}

void
view_load_end(struct view_load *l)
{
	dir_scan_end(&l->scan);
	free(l->zone_dn);
	l->zone_dn = NULL;
}

int
view_load_zone(struct view *v, struct dir *d, struct own *own,
    const char *host, const char *zone_dn, dir_node_fn also, void *also_ctx,
    char *err, size_t errlen)
{
	struct view_load l;
	int rc;

	view_load_start(&l, v, d, own, host, zone_dn, also, also_ctx);
	rc = view_load_step(&l, 1, err, errlen);
	view_load_end(&l);
	return rc;
}
