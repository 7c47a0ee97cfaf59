/*
 * grouppatch.c - a patched group's object (grouppriv.h): the members and
 * addresses a pass added or took away, written as one modify against what
 * the group view knows the object holds, without rebuilding its values.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "event.h"
#include "grouppriv.h"
#include "log.h"
#include "xmem.h"

/* The changes to one attribute: NULL-terminated, sorted, distinct. */
struct gp_list {
	char **v;
	size_t n;
};

static int
gp_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
gp_has(const struct group_vals *gv, int a, const char *s)
{
	return gv->n[a] > 0 && bsearch(&s, gv->v[a], gv->n[a], sizeof(char *),
	    gp_strcmp) != NULL;
}

/* Push s if its presence in gv is not what is wanted (want 1: present). */
static void
gp_want(struct gp_list *l, const struct group_vals *gv, int a, const char *s,
    int want)
{
	size_t i;

	if (gp_has(gv, a, s) == want)
		return;
	for (i = 0; i < l->n; i++)	/* a few: repeats are rare */
		if (strcmp(l->v[i], s) == 0)
			return;
	l->v = xreallocarray(l->v, l->n + 2, sizeof(char *));
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

static void
gp_want_addr(struct gp_list *l, const struct group_vals *gv,
    const struct event_addr *addr, int want)
{
	char s[64];

	if (event_addr_format(addr, s, sizeof(s)) == 0)
		gp_want(l, gv, GA_ADDRESS, s, want);
}

static void
gp_list_free(struct gp_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* gv's attribute a with del's values out and add's in (both sorted), still
 * sorted: one merge, linear in the values. */
static void
gp_apply(struct group_vals *gv, int a, struct gp_list *del,
    struct gp_list *add)
{
	char **out, **old = gv->v[a];
	size_t i = 0, j = 0, n = 0;

	out = xcalloc(gv->n[a] + add->n + 1, sizeof(char *));
	for (; i < gv->n[a]; i++) {
		while (j < add->n && strcmp(add->v[j], old[i]) < 0)
			out[n++] = add->v[j++];
		if (del->n == 0 || bsearch(&old[i], del->v, del->n,
		    sizeof(char *), gp_strcmp) == NULL)
			out[n++] = old[i];
		else
			free(old[i]);
	}
	while (j < add->n)
		out[n++] = add->v[j++];
	free(old);
	free(add->v);		/* its strings moved into out */
	memset(add, 0, sizeof(*add));
	gv->v[a] = out;
	gv->n[a] = n;
}

/* What the object must gain and lose: l[0]/l[1] members out/in,
 * l[2]/l[3] addresses out/in; 0 when it holds g's patch already. */
static size_t
gp_plan(const struct group_vals *gv, const struct model_group *g,
    struct gp_list l[4])
{
	size_t i;

	for (i = 0; i < g->ngone_members; i++)
		gp_want(&l[0], gv, GA_MEMBER, g->gone_members[i], 0);
	for (i = 0; i < g->nmembers; i++)
		gp_want(&l[1], gv, GA_MEMBER, g->members[i], 1);
	for (i = 0; i < g->ngone_addrs; i++)
		gp_want_addr(&l[2], gv, &g->gone_addrs[i], 0);
	for (i = 0; i < g->naddrs; i++)
		gp_want_addr(&l[3], gv, &g->addrs[i], 1);
	for (i = 0; i < 4; i++)
		if (l[i].n > 1)
			qsort(l[i].v, l[i].n, sizeof(char *), gp_strcmp);
	return l[0].n + l[1].n + l[2].n + l[3].n;
}

/* A planned patch: its lists, and the modify made of them. */
struct group_plan {
	char *dn;
	struct gp_list l[4];
	struct dir_mod m[5];
	size_t nmods;
	char stamp[32];
	char *tv[2];
};

void
group_plan_free(struct group_plan *pl)
{
	size_t i;

	if (pl == NULL)
		return;
	for (i = 0; i < 4; i++)
		gp_list_free(&pl->l[i]);
	free(pl->dn);
	free(pl);
}

/* The modify: deletions and additions of both attributes, the stamp. */
static void
gp_mods(struct group_plan *pl, time_t now)
{
	static const int attr[4] = { GA_MEMBER, GA_MEMBER, GA_ADDRESS,
	    GA_ADDRESS };
	size_t i;

	for (i = 0; i < 4; i++)
		if (pl->l[i].n > 0)
			pl->m[pl->nmods++] = (struct dir_mod){ i % 2 == 0 ?
			    DIR_MOD_DELETE : DIR_MOD_ADD, group_attrs[attr[i]],
			    pl->l[i].v };
	dn_gentime(now, pl->stamp);
	pl->tv[0] = pl->stamp;
	pl->m[pl->nmods++] = (struct dir_mod){ DIR_MOD_REPLACE, ga_updated,
	    pl->tv };
}

int
group_patch_plan(const struct group_view *v, const struct own *own,
    const char *dn, const struct model_group *g, time_t now,
    struct group_plan **out, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct group_known *k = NULL;
	struct group_plan *pl;

	*out = NULL;
	if (v != NULL)
		HASH_FIND_STR(v->map, dn, k);
	if (k == NULL || k->absent || !own_has(own, OWN_GROUP, dn)) {
		st->stale++;
		(void)xsnprintf(err, errlen, "%s is not as the last pass left "
		    "it", dn);
		return -1;
	}
	pl = xcalloc(1, sizeof(*pl));
	if (gp_plan(&k->gv, g, pl->l) == 0) {
		group_plan_free(pl);
		return 0;
	}
	pl->dn = xstrdup(dn);
	gp_mods(pl, now);
	*out = pl;
	return 1;
}

const char *
group_plan_dn(const struct group_plan *pl)
{
	return pl->dn;
}

const struct dir_mod *
group_plan_mods(const struct group_plan *pl, size_t *n)
{
	*n = pl->nmods;
	return pl->m;
}

void
group_plan_done(struct group_view *v, struct cache *c, struct group_plan *pl,
    int ok, struct sync_stats *st)
{
	struct group_known *k = NULL;

	if (v != NULL)
		HASH_FIND_STR(v->map, pl->dn, k);
	if (!ok || k == NULL) {
		group_known_drop(v, pl->dn);	/* read it next time */
		return;
	}
	cache_drop(c, pl->dn);
	st->groups_changed++;
	log_info("updated group object %s: -%zu +%zu member%s, -%zu +%zu "
	    "address%s", pl->dn, pl->l[0].n, pl->l[1].n, pl->l[1].n == 1 ?
	    "" : "s", pl->l[2].n, pl->l[3].n, pl->l[3].n == 1 ? "" : "es");
	gp_apply(&k->gv, GA_MEMBER, &pl->l[0], &pl->l[1]);
	gp_apply(&k->gv, GA_ADDRESS, &pl->l[2], &pl->l[3]);
}

int
group_patch(struct dir *d, struct own *own, const char *dn,
    const struct model_group *g, const struct sync_params *p,
    struct sync_stats *st, char *err, size_t errlen)
{
	struct group_plan *pl;
	const struct dir_mod *m;
	size_t n;
	int rc;

	rc = group_patch_plan(p->gview, own, dn, g, p->now, &pl, st, err,
	    errlen);
	if (rc <= 0)
		return rc;
	m = group_plan_mods(pl, &n);
	rc = dir_group_modify(d, dn, m, n, err, errlen);
	if (rc == -1 && dir_error(d) == DIR_CHANGED)
		st->stale++;
	group_plan_done(p->gview, p->cache, pl, rc == 0, st);
	group_plan_free(pl);
	return rc;
}

int
group_patchable(const struct group_view *v, const struct own *own,
    const char *dn)
{
	struct group_known *k = NULL;

	if (v != NULL)
		HASH_FIND_STR(v->map, dn, k);
	return k != NULL && !k->absent && own_has(own, OWN_GROUP, dn);
}

int
group_adopt(const struct dir *d, struct own *own, const char *dn,
    const struct dir_entry *cur, const char *host)
{
	if (host == NULL || cur->nvals[GA_HOST] != 1 ||
	    cur->vals[GA_HOST][0].len != strlen(host) ||
	    memcmp(cur->vals[GA_HOST][0].val, host, strlen(host)) != 0 ||
	    dir_owner_of(d, cur->vals[GA_SD], cur->nvals[GA_SD],
	    cur->vals[GA_CREATOR], cur->nvals[GA_CREATOR]) != DIR_OWNER_SELF)
		return 0;
	log_info("taking %s into the ownership record: the directory says "
	    "it is this host's", dn);
	own_add(own, OWN_GROUP, dn);
	return 1;
}
