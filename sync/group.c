/*
 * group.c - vmGroup objects: create, update, keep (blocked), delete.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dn.h"
#include "event.h"
#include "group.h"
#include "grouppriv.h"
#include "log.h"
#include "vmgroup_attrs.h"
#include "xmem.h"

/* The vmGroup attribute names come from vmgroup_attrs.h, generated from
 * schema/vmgroup.def.  The attributes vmgroupd maintains come first; the
 * blocked flag, reason, time and who (vmGroupBlockedBy) belong to whoever
 * blocks, and vmgroupd never writes them. */
static char ga_cn[] = "cn", ga_host[] = VMG_ATTR_HOST,
    ga_dnsname[] = VMG_ATTR_DNSNAME, ga_image[] = VMG_ATTR_IMAGE,
    ga_member[] = VMG_ATTR_MEMBER, ga_address[] = VMG_ATTR_ADDRESS,
    ga_blocked[] = VMG_ATTR_BLOCKED;
char *const group_attrs[GA_N + 1] = { ga_cn, ga_host, ga_dnsname,
    ga_image, ga_member, ga_address, NULL };
static char ga_sd[] = "nTSecurityDescriptor", ga_creator[] = "creatorsName";
char *const group_read_attrs[GA_READ_N + 1] = { ga_cn, ga_host, ga_dnsname,
    ga_image, ga_member, ga_address, ga_sd, ga_creator, NULL };
const char ga_updated[] = VMG_ATTR_LASTUPDATE;
static const char ga_oc[] = "objectClass";
static char oc_top[] = "top", oc_vmgroup[] = VMG_CLASS;



void
gv_push(struct group_vals *gv, int a, const char *s)
{
	gv->v[a] = xreallocarray(gv->v[a], gv->n[a] + 2, sizeof(char *));
	gv->v[a][gv->n[a]++] = xstrdup(s);
	gv->v[a][gv->n[a]] = NULL;
}

static void
gv_push_n(struct group_vals *gv, int a, const char *s, size_t len)
{
	char *c = xmalloc(len + 1);

	memcpy(c, s, len);
	c[len] = '\0';
	gv->v[a] = xreallocarray(gv->v[a], gv->n[a] + 2, sizeof(char *));
	gv->v[a][gv->n[a]++] = c;
	gv->v[a][gv->n[a]] = NULL;
}

void
gv_free(struct group_vals *gv)
{
	size_t a, i;

	for (a = 0; a < GA_N; a++) {
		for (i = 0; i < gv->n[a]; i++)
			free(gv->v[a][i]);
		free(gv->v[a]);
	}
	memset(gv, 0, sizeof(*gv));
}

static int
gv_same_strs(char **x, size_t nx, char **y, size_t ny)
{
	size_t i;

	if (nx != ny)
		return 0;
	for (i = 0; i < nx; i++)
		if (strcmp(x[i], y[i]) != 0)
			return 0;
	return 1;
}

static void
gv_build(const struct model_group *g, struct group_vals *gv)
{
	char addr[64];
	size_t i;

	memset(gv, 0, sizeof(*gv));
	gv_push(gv, GA_CN, g->name);
	gv_push(gv, GA_HOST, g->host);
	gv_push(gv, GA_DNSNAME, g->fqdn);
	if (g->image[0] != '\0')
		gv_push(gv, GA_IMAGE, g->image);
	for (i = 0; i < g->nmembers; i++)
		gv_push(gv, GA_MEMBER, g->members[i]);
	for (i = 0; i < g->naddrs; i++)
		if (event_addr_format(&g->addrs[i], addr, sizeof(addr)) == 0)
			gv_push(gv, GA_ADDRESS, addr);
}

static uint64_t
gv_digest(const struct group_vals *gv)
{
	uint64_t h = NAME_FNV_BASIS;
	size_t a, i;

	for (a = 0; a < GA_N; a++) {
		h = name_fnv1a64_update(h, &a, sizeof(a));
		for (i = 0; i < gv->n[a]; i++)
			h = name_mix64(h, gv->v[a][i], strlen(gv->v[a][i]) + 1);
	}
	return h;
}

/* Same set of values (ours are distinct; the server's are distinct). */
static int
gv_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
gv_sorted(char **v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) > 0)
			return 0;
	return 1;
}

/* Sort each attribute's values (the order the comparisons below need). */
static void
gv_sort(struct group_vals *gv)
{
	size_t a;

	for (a = 0; a < GA_N; a++)
		if (gv->n[a] > 1 && !gv_sorted(gv->v[a], gv->n[a]))
			qsort(gv->v[a], gv->n[a], sizeof(char *), gv_strcmp);
}

static int
gv_valcmp(const void *a, const void *b)
{
	const struct dir_value *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n > 0 ? memcmp(x->val, y->val, n) : 0;

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* The values cur holds are exactly want (sorted): a linear comparison of
 * both sorted, not one look-up each. */
static int
gv_same(const struct dir_value *cur, size_t ncur, char **want, size_t nwant)
{
	struct dir_value *c;
	size_t i;
	int same = 1;

	if (ncur != nwant)
		return 0;
	c = xcalloc(ncur + 1, sizeof(*c));
	memcpy(c, cur, ncur * sizeof(*c));
	qsort(c, ncur, sizeof(*c), gv_valcmp);
	for (i = 0; i < ncur && same; i++)
		same = c[i].len == strlen(want[i]) &&
		    memcmp(c[i].val, want[i], c[i].len) == 0;
	free(c);
	return same;
}

/* Add (create) or replace (update) the group's attributes; for an update
 * only those in differ[] (all when differ is NULL). */
static int
group_write(struct dir *d, const char *dn, struct group_vals *gv,
    const int *differ, time_t now, char *err, size_t errlen)
{
	char stamp[32], *tv[] = { stamp, NULL };
	char *ocv[] = { oc_top, oc_vmgroup, NULL };
	struct dir_mod m[GA_N + 2];
	enum dir_mod_op op = differ == NULL ? DIR_MOD_ADD : DIR_MOD_REPLACE;
	size_t a, n = 0;

	dn_gentime(now, stamp);
	if (differ == NULL)
		m[n++] = (struct dir_mod){ DIR_MOD_ADD, ga_oc, ocv };
	for (a = 0; a < GA_N; a++) {
		if (differ != NULL ? !differ[a] : gv->n[a] == 0)
			continue;
		m[n++] = (struct dir_mod){ op, group_attrs[a], gv->v[a] };
	}
	m[n++] = (struct dir_mod){ op, ga_updated, tv };
	if (differ == NULL)
		return dir_group_add(d, dn, m, n, err, errlen);
	return dir_group_modify(d, dn, m, n, err, errlen);
}

void
group_known_drop(struct group_view *v, const char *dn)
{
	struct group_known *k;

	if (v == NULL)
		return;
	HASH_FIND_STR(v->map, dn, k);
	if (k == NULL)
		return;
	HASH_DEL(v->map, k);
	gv_free(&k->gv);
	free(k->dn);
	free(k);
}

/* Keep gv as what dn holds (moved into the view: gv is empty after). */
static void
group_known_take(struct group_view *v, const char *dn, struct group_vals *gv)
{
	struct group_known *k;

	if (v == NULL)
		return;
	group_known_drop(v, dn);
	k = xcalloc(1, sizeof(*k));
	k->dn = xstrdup(dn);
	k->gv = *gv;
	memset(gv, 0, sizeof(*gv));
	HASH_ADD_KEYPTR(hh, v->map, k->dn, strlen(k->dn), k);
}

/* One object the search found: what it holds, if it is ours. */
static void
group_view_entry(struct group_view *v, const struct own *own, const char *ou,
    const struct dir_entry *e)
{
	struct group_vals gv;
	char name[NAME_LABEL_BUF], *dn = NULL;
	size_t a, i;

	if (e->nvals[GA_CN] != 1 || e->vals[GA_CN][0].len >= sizeof(name))
		return;
	for (i = 0; i < e->vals[GA_CN][0].len; i++)
		name[i] = (char)tolower(e->vals[GA_CN][0].val[i]);
	name[i] = '\0';
	if (dn_child(ou, "CN", name, &dn) == -1 || !own_has(own, OWN_GROUP, dn)) {
		group_known_drop(v, dn != NULL ? dn : "");
		free(dn);	/* not ours: read when it is wanted */
		return;
	}
	memset(&gv, 0, sizeof(gv));
	for (a = 0; a < GA_N; a++)
		for (i = 0; i < e->nvals[a]; i++)
			gv_push_n(&gv, (int)a, (const char *)e->vals[a][i].val,
			    e->vals[a][i].len);
	gv_sort(&gv);
	group_known_take(v, dn, &gv);
	free(dn);
}

struct gv_load {
	struct group_view *v;
	const struct own *own;
	const char *ou;
};

static int
gv_load_entry(void *ctx, const struct dir_entry *e, char *err, size_t errlen)
{
	struct gv_load *l = ctx;

	(void)err;
	(void)errlen;
	group_view_entry(l->v, l->own, l->ou, e);
	return 0;
}

int
group_view_load(struct group_view *v, struct dir *d, const struct own *own,
    const char *ou, const char *const *names, size_t n, char *err,
    size_t errlen)
{
	struct gv_load l = { v, own, ou };
	struct group_known *k;
	char *filter = NULL, *dn = NULL;
	size_t i, chunk;
	int rc = 0;

	for (; n > 0 && rc == 0; names += chunk, n -= chunk) {
		chunk = n < 256 ? n : 256;
		for (i = 0; i < chunk; i++) {	/* not found: absent */
			if (dn_child(ou, "CN", names[i], &dn) == -1)
				continue;
			group_known_drop(v, dn);
			k = xcalloc(1, sizeof(*k));
			k->dn = dn;
			k->absent = 1;
			HASH_ADD_KEYPTR(hh, v->map, k->dn, strlen(k->dn), k);
		}
		/* entries as they come: one object's values held at a time */
		if (dn_filter_any("(|(|", "cn", names, chunk, &filter) == -1 ||
		    dir_entries_each(d, ou, filter, group_attrs, gv_load_entry,
		    &l, err, errlen) == -1)
			rc = -1;
		free(filter);
		filter = NULL;
	}
	if (rc == -1)
		group_view_clear(v);
	return rc;
}

void
group_view_clear(struct group_view *v)
{
	struct group_known *k, *tmp;

	HASH_ITER(hh, v->map, k, tmp) {
		HASH_DEL(v->map, k);
		gv_free(&k->gv);
		free(k->dn);
		free(k);
	}
}

/* The values of one side (x) the other (y) lacks, both sorted: a
 * NULL-terminated array of x's strings, or NULL when there are none. */
static char **
gv_minus(char **x, size_t nx, char **y, size_t ny)
{
	char **out = NULL;
	size_t i = 0, j = 0, n = 0;
	int c;

	while (i < nx) {
		c = j < ny ? strcmp(x[i], y[j]) : -1;
		if (c > 0) {
			j++;
			continue;
		}
		if (c < 0) {
			out = xreallocarray(out, n + 2, sizeof(*out));
			out[n++] = x[i];
			out[n] = NULL;
		} else
			j++;
		i++;
	}
	return out;
}

/* Turn old into gv with one modify: the members and addresses that left
 * deleted and those that came added (exact values: a concurrent change
 * makes it fail, DIR_CHANGED), other attributes replaced where they
 * differ.  *wrote when there was anything to write. */
static int
group_delta(struct dir *d, const char *dn, const struct group_vals *old,
    const struct group_vals *gv, time_t now, int *wrote, char *err,
    size_t errlen)
{
	char stamp[32], *tv[] = { stamp, NULL }, **lists[2 * GA_N];
	struct dir_mod m[DIR_MAX_MODS];
	size_t a, n = 0, nl = 0, i;
	int rc = 0;

	for (a = 0; a < GA_N; a++) {
		if (a != GA_MEMBER && a != GA_ADDRESS) {
			if (!gv_same_strs(old->v[a], old->n[a], gv->v[a],
			    gv->n[a]))
				m[n++] = (struct dir_mod){ DIR_MOD_REPLACE,
				    group_attrs[a], gv->v[a] };
			continue;
		}
		lists[nl] = gv_minus(old->v[a], old->n[a], gv->v[a], gv->n[a]);
		if (lists[nl] != NULL)
			m[n++] = (struct dir_mod){ DIR_MOD_DELETE,
			    group_attrs[a], lists[nl] };
		lists[++nl] = gv_minus(gv->v[a], gv->n[a], old->v[a], old->n[a]);
		if (lists[nl] != NULL)
			m[n++] = (struct dir_mod){ DIR_MOD_ADD, group_attrs[a],
			    lists[nl] };
		nl++;
	}
	*wrote = n > 0;
	if (n > 0) {
		dn_gentime(now, stamp);
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, ga_updated, tv };
		rc = dir_group_modify(d, dn, m, n, err, errlen);
	}
	for (i = 0; i < nl; i++)
		free(lists[i]);
	return rc;
}

/* Create a group object that is not there, claiming it first. */
static int
group_create(struct dir *d, struct own *own, const char *dn,
    struct group_vals *gv, time_t now, struct sync_stats *st, char *err,
    size_t errlen)
{
	own_add(own, OWN_GROUP, dn);
	if (own_save(own, err, errlen) == -1)
		return -1;
	if (group_write(d, dn, gv, NULL, now, err, errlen) == -1) {
		if (dir_error(d) == DIR_EXISTS)
			own_del(own, OWN_GROUP, dn);	/* not ours */
		return -1;
	}
	st->groups_added++;
	log_info("created group object %s", dn);
	return 0;
}

static void
group_note_foreign(struct sync_stats *st, const char *dn, const char *name)
{
	log_debug("refusing to touch %s: it exists and vmgroupd does "
	    "not own it", dn);
	st->foreign++;
	if (st->nforeign_groups < SYNC_MAX_FOREIGN)
		(void)xstrlcpy(st->foreign_groups[st->nforeign_groups++],
		    name, NAME_LABEL_BUF);
}

/* A group object of ours the view knows: written as a delta.  0 done,
 * 1 the view was wrong (read it), -1 failure. */
static int
group_known_sync(struct dir *d, struct own *own, const char *dn,
    struct group_vals *gv, const struct sync_params *p, struct sync_stats *st,
    char *err, size_t errlen)
{
	struct group_known *k;
	int wrote = 0;

	HASH_FIND_STR(p->gview->map, dn, k);
	if (k == NULL || (!k->absent && !own_has(own, OWN_GROUP, dn)))
		return 1;
	if (k->absent) {
		if (group_create(d, own, dn, gv, p->now, st, err, errlen) == 0)
			return 0;
		return dir_error(d) == DIR_EXISTS ? 1 : -1;
	}
	if (group_delta(d, dn, &k->gv, gv, p->now, &wrote, err, errlen) == 0) {
		if (wrote) {
			st->groups_changed++;
			log_info("updated group object %s", dn);
		}
		return 0;
	}
	if (dir_error(d) != DIR_CHANGED)
		return -1;
	log_info("%s changed under us; reading it again", dn);
	return 1;
}

/* Read the object, then create it, or update it if ours. */
static int
group_read_sync(struct dir *d, struct own *own, const char *dn,
    const struct model_group *g, struct group_vals *gv,
    const struct sync_params *p, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct dir_entry cur;
	int differ[GA_N], any = 0, rc = -1;
	size_t a;

	if (dir_entry_read(d, dn, group_read_attrs, &cur, err, errlen) == -1)
		return -1;
	if (!cur.exists) {
		rc = group_create(d, own, dn, gv, p->now, st, err, errlen);
	} else if (!own_has(own, OWN_GROUP, dn) &&
	    !group_adopt(d, own, dn, &cur, p->host)) {
		group_note_foreign(st, dn, g->name);
		rc = 1;
	} else {
		for (a = 0; a < GA_N; a++)
			any |= differ[a] = !gv_same(cur.vals[a], cur.nvals[a],
			    gv->v[a], gv->n[a]);
		rc = any ? group_write(d, dn, gv, differ, p->now, err,
		    errlen) : 0;
		if (any && rc == 0) {
			st->groups_changed++;
			log_info("updated group object %s", dn);
		}
	}
	dir_entry_free(&cur);
	return rc;
}

int
group_sync(struct dir *d, struct own *own, const char *dn,
    const struct model_group *g, const struct sync_params *p,
    struct sync_stats *st, char *err, size_t errlen)
{
	struct group_vals gv;
	uint64_t digest;
	int rc = 1;

	if (g->patch)
		return group_patch(d, own, dn, g, p, st, err, errlen);
	gv_build(g, &gv);
	gv_sort(&gv);
	digest = gv_digest(&gv);
	if (cache_fresh(p->full ? NULL : p->cache, dn, digest)) {
		st->cached++;
		gv_free(&gv);
		return 0;
	}
	if (p->gview != NULL)
		rc = group_known_sync(d, own, dn, &gv, p, st, err, errlen);
	if (rc == 1) {
		group_known_drop(p->gview, dn);
		rc = group_read_sync(d, own, dn, g, &gv, p, st, err, errlen);
	}
	if (rc == 0) {
		cache_put(p->cache, dn, digest);
		group_known_take(p->gview, dn, &gv);
	}
	gv_free(&gv);
	return rc == 1 ? 0 : rc;
}

/* Empty a blocked group's object instead of deleting it: the block must
 * hold when the group fills again.  0 kept (or nothing to do), -1 failure.
 * cur holds (blocked, member, address). */
static int
group_keep(struct dir *d, const char *dn, const struct dir_entry *cur,
    time_t now, char *err, size_t errlen)
{
	char stamp[32], *tv[] = { stamp, NULL };
	struct dir_mod m[3];
	size_t n = 0;

	if (cur->nvals[1] > 0)
		m[n++] = (struct dir_mod){ DIR_MOD_DELETE,
		    group_attrs[GA_MEMBER], NULL };
	if (cur->nvals[2] > 0)
		m[n++] = (struct dir_mod){ DIR_MOD_DELETE,
		    group_attrs[GA_ADDRESS], NULL };
	if (n == 0)
		return 0;
	dn_gentime(now, stamp);
	m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, ga_updated, tv };
	if (dir_group_modify(d, dn, m, n, err, errlen) == -1)
		return -1;
	log_info("kept group object %s without members: it is blocked, and "
	    "only vmgroup unblock clears a block", dn);
	return 1;
}

/* True if cur's first attribute (vmGroupBlocked) is TRUE. */
static int
group_blocked(const struct dir_entry *cur)
{
	return cur->exists && cur->nvals[0] > 0 && cur->vals[0][0].len == 4 &&
	    strncasecmp((const char *)cur->vals[0][0].val, "TRUE", 4) == 0;
}

int
group_gone(struct dir *d, const struct sync_params *p, const char *dn,
    int *forget, struct sync_stats *st, char *err, size_t errlen)
{
	char *const attrs[] = { ga_blocked, ga_member, ga_address, NULL };
	struct dir_entry cur;
	int rc;

	*forget = 0;
	if (cache_fresh(p->full ? NULL : p->cache, dn, CACHE_DIGEST_KEPT)) {
		st->cached++;
		return 0;
	}
	if (dir_entry_read(d, dn, attrs, &cur, err, errlen) == -1)
		return -1;
	if (group_blocked(&cur)) {
		rc = group_keep(d, dn, &cur, p->now, err, errlen);
		dir_entry_free(&cur);
		if (rc == -1)
			return -1;
		st->groups_kept++;
		cache_put(p->cache, dn, CACHE_DIGEST_KEPT);
		group_known_drop(p->gview, dn);
		return 0;
	}
	rc = cur.exists;
	dir_entry_free(&cur);
	cache_drop(p->cache, dn);
	group_known_drop(p->gview, dn);
	if (rc && dir_group_delete(d, dn, err, errlen) == -1)
		return -1;
	if (rc)
		log_info("deleted group object %s (no members left)", dn);
	*forget = 1;
	st->groups_deleted++;
	return 0;
}
