/*
 * view.c - what the directory holds, as far as vmgroupd knows (view.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "view.h"
#include "xmem.h"

const struct view_node *
view_get(const struct view *v, const char *dn)
{
	struct view_node *e;

	HASH_FIND_STR(v->map, dn, e);
	return e;
}

static void
view_node_free(struct view_node *e)
{
	free(e->dn);
	free(e->values);
	free(e);
}

void
view_drop(struct view *v, const char *dn)
{
	struct view_node *e;

	HASH_FIND_STR(v->map, dn, e);
	if (e == NULL)
		return;
	HASH_DEL(v->map, e);
	view_node_free(e);
}

/* The values and their bytes in one block. */
static struct dir_value *
view_copy(const struct dir_value *vals, size_t n)
{
	struct dir_value *out;
	uint8_t *p;
	size_t i, bytes = 0;

	for (i = 0; i < n; i++)
		bytes += vals[i].len;
	out = xcalloc(1, (n + 1) * sizeof(*out) + bytes);
	p = (uint8_t *)(out + n + 1);
	for (i = 0; i < n; i++) {
		memcpy(p, vals[i].val, vals[i].len);
		out[i].val = p;
		out[i].len = vals[i].len;
		p += vals[i].len;
	}
	return out;
}

void
view_put(struct view *v, const char *dn, int exists, int tombstoned,
    const struct dir_value *vals, size_t n)
{
	struct dir_value *copy;
	struct view_node *e;

	HASH_FIND_STR(v->map, dn, e);
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->dn = xstrdup(dn);
		HASH_ADD_KEYPTR(hh, v->map, e->dn, strlen(e->dn), e);
	}
	copy = view_copy(vals, exists ? n : 0);	/* vals may be e's */
	free(e->values);
	e->exists = exists;
	e->tombstoned = exists && tombstoned;
	e->nvalues = exists ? n : 0;
	e->values = copy;
}

void
view_put_node(struct view *v, const char *dn, const struct dir_node *n)
{
	view_put(v, dn, n->exists, n->tombstoned, n->values, n->nvalues);
}

void
view_clear(struct view *v)
{
	struct view_node *e, *tmp;

	HASH_ITER(hh, v->map, e, tmp) {
		HASH_DEL(v->map, e);
		view_node_free(e);
	}
}

size_t
view_count(const struct view *v)
{
	return HASH_COUNT(v->map);
}

struct view_scan {
	struct view *v;
	const struct own *own;
	const char *zone_dn;
	dir_node_fn also;
	void *also_ctx;
};

/* One node of the scan: kept if it is ours. */
static int
view_scan_node(void *ctx, const char *name, const struct dir_node *n,
    char *err, size_t errlen)
{
	struct view_scan *s = ctx;
	char lower[256], *dn = NULL;
	size_t i;

	if (s->also != NULL && s->also(s->also_ctx, name, n, err, errlen) == -1)
		return -1;
	for (i = 0; name[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	if (dn_node(s->zone_dn, lower, &dn) == 0 &&
	    own_has(s->own, OWN_NODE, dn))
		view_put_node(s->v, dn, n);
	free(dn);
	return 0;
}

/* 1 if dn is a node directly under zone_dn (as dn_node builds them). */
static int
view_in_zone(const char *dn, const char *zone_dn)
{
	const char *comma = strchr(dn, ',');

	while (comma != NULL && comma > dn && comma[-1] == '\\')
		comma = strchr(comma + 1, ',');
	return comma != NULL && strcmp(comma + 1, zone_dn) == 0;
}

int
view_load_zone(struct view *v, struct dir *d, const struct own *own,
    const char *zone_dn, dir_node_fn also, void *also_ctx, char *err,
    size_t errlen)
{
	struct view_scan s = { v, own, zone_dn, also, also_ctx };
	const char **owned;
	size_t i, n;

	owned = own_list(own, OWN_NODE, &n);
	for (i = 0; i < n; i++)
		if (view_in_zone(owned[i], zone_dn))
			view_drop(v, owned[i]);
	if (dir_node_scan(d, zone_dn, NULL, view_scan_node, &s, err,
	    errlen) == -1) {
		free(owned);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (view_in_zone(owned[i], zone_dn) &&
		    view_get(v, owned[i]) == NULL)
			view_put(v, owned[i], 0, 0, NULL, 0);
	free(owned);
	return 0;
}
