/*
 * scope.c - what a pass between full reconciles must look at (scope.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "modelrr.h"
#include "scope.h"
#include "xmem.h"

static void scope_addr_key(const struct event_addr *a, char out[40]);

#define SCOPE_SMALL 8	/* sets this small are searched without hashing */

static struct scope_key *
scope_find(struct scope_key *set, const char *key)
{
	struct scope_key *k;

	if (set != NULL && HASH_COUNT(set) <= SCOPE_SMALL) {
		for (k = set; k != NULL; k = k->hh.next)
			if (strcmp(k->key, key) == 0)
				return k;
		return NULL;
	}
	HASH_FIND_STR(set, key, k);
	return k;
}

/* Is address a in scope?  A few addresses: compared as they are. */
static int
scope_has_addr(const struct scope *s, const struct event_addr *a)
{
	const struct scope_key *k;
	char key[40];

	if (s->addrs == NULL)
		return 0;
	if (HASH_COUNT(s->addrs) > SCOPE_SMALL) {
		scope_addr_key(a, key);
		return scope_find(s->addrs, key) != NULL;
	}
	for (k = s->addrs; k != NULL; k = k->hh.next)
		if (k->addr.family == a->family && memcmp(&k->addr.u, &a->u,
		    a->family == AF_INET ? 4 : 16) == 0)
			return 1;
	return 0;
}

/* Add key to *set (once); the entry. */
static struct scope_key *
scope_add(struct scope_key **set, const char *key)
{
	struct scope_key *k = scope_find(*set, key);

	if (k != NULL)
		return k;
	k = xcalloc(1, sizeof(*k));
	k->key = xstrdup(key);
	HASH_ADD_KEYPTR(hh, *set, k->key, strlen(k->key), k);
	return k;
}

static void
scope_set_free(struct scope_key **set)
{
	struct scope_key *k, *tmp;

	HASH_ITER(hh, *set, k, tmp) {
		HASH_DEL(*set, k);
		free(k->key);
		free(k->name);
		free(k);
	}
}

void
scope_init(struct scope *s, const struct model_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
}

void
scope_free(struct scope *s)
{
	scope_set_free(&s->nodes);
	scope_set_free(&s->groups);
	scope_set_free(&s->labels);
	scope_set_free(&s->vms);
	scope_set_free(&s->addrs);
	scope_set_free(&s->reps);
}

static void
scope_add_node(struct scope *s, const char *zone, const char *name)
{
	char key[2 * NAME_FQDN_BUF + 2];
	struct scope_key *k;

	if (xsnprintf(key, sizeof(key), "%s\n%s", zone, name) == -1)
		return;
	k = scope_add(&s->nodes, key);
	if (k->name == NULL) {
		k->zone = zone;
		k->name = xstrdup(name);
	}
}

/* An address as a key: its family and bytes in hex (no inet_ntop). */
static void
scope_addr_key(const struct event_addr *a, char out[40])
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)&a->u;
	size_t i, n = a->family == AF_INET ? 4 : 16;

	out[0] = a->family == AF_INET ? '4' : '6';
	for (i = 0; i < n; i++) {
		out[1 + 2 * i] = hex[p[i] >> 4];
		out[2 + 2 * i] = hex[p[i] & 15];
	}
	out[1 + 2 * n] = '\0';
}

/* The group label of r, as the model groups (one per image, or one). */
static const char *
scope_label(const struct model_config *cfg, const struct model_reg *r)
{
	if (cfg->grouping == MODEL_GROUP_HOST)
		return cfg->host_group;
	return r->image[0] != '\0' ? r->image : cfg->no_image;
}

static void
scope_note_group(struct scope *s, const struct model_reg *r)
{
	char g[NAME_LABEL_BUF], srv[NAME_FQDN_BUF];

	(void)scope_add(&s->labels, scope_label(s->cfg, r));
	if (model_group_name(s->cfg, r, g) == -1)
		return;
	(void)scope_add(&s->groups, g);
	scope_add_node(s, s->cfg->zone, g);
	if (name_srv_group(g, srv) == 0)
		scope_add_node(s, s->cfg->zone, srv);
}

void
scope_note(struct scope *s, const struct model_reg *r)
{
	char rel[NAME_FQDN_BUF], key[40];
	size_t i;
	int z;

	if (strcmp(r->host, s->cfg->host) != 0)
		return;		/* nothing of this host's */
	(void)scope_add(&s->vms, r->vm);
	if (s->cfg->vm_records)
		scope_add_node(s, s->cfg->zone, r->vm);
	scope_note_group(s, r);
	if (name_srv_host(s->cfg->host, rel) == 0)
		scope_add_node(s, s->cfg->zone, rel);
	for (i = 0; i < r->naddrs; i++) {
		scope_addr_key(&r->addrs[i], key);
		scope_add(&s->addrs, key)->addr = r->addrs[i];
		z = modelrr_ptr_zone(s->cfg, &r->addrs[i], rel);
		if (z >= 0)
			scope_add_node(s, s->cfg->revzones[z], rel);
	}
}

void
scope_begin(struct scope *s)
{
	scope_set_free(&s->reps);
}

int
scope_only_full(void *ctx, const struct model_reg *r)
{
	struct scope *s = ctx;
	size_t i;

	if (scope_find(s->vms, r->vm) != NULL)
		return 1;
	for (i = 0; i < r->naddrs; i++)
		if (scope_has_addr(s, &r->addrs[i]))
			return 1;
	return 0;
}

int
scope_only(void *ctx, const struct model_reg *r)
{
	struct scope *s = ctx;
	const char *label = scope_label(s->cfg, r);

	if (scope_find(s->reps, label) == NULL) {
		(void)scope_add(&s->reps, label);	/* the group is listed */
		return 1;
	}
	return scope_find(s->labels, label) != NULL ||
	    scope_only_full(ctx, r);
}

int
scope_has_node(const struct scope *s, const char *zone, const char *name)
{
	char key[2 * NAME_FQDN_BUF + 2];

	return xsnprintf(key, sizeof(key), "%s\n%s", zone, name) == 0 &&
	    scope_find(s->nodes, key) != NULL;
}

int
scope_has_group(const struct scope *s, const char *name)
{
	return scope_find(s->groups, name) != NULL;
}

static int
scope_keep_node(const void *ctx, const struct model_node *n)
{
	return scope_has_node(ctx, n->zone, n->name);
}

static int
scope_keep_group(const void *ctx, const struct model_group *g)
{
	return scope_has_group(ctx, g->name);
}

void
scope_filter(const struct scope *s, struct model_desired *d)
{
	model_desired_keep(d, scope_keep_node, scope_keep_group, s);
}
