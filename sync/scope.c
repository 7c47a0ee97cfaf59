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

	size_t i;

	HASH_ITER(hh, *set, k, tmp) {
		HASH_DEL(*set, k);
		for (i = 0; i < k->nvms; i++)
			free(k->vms[i]);
		free(k->vms);
		free(k->addrs);
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

/* r's name and addresses, as values its group may lose. */
static void
scope_note_values(struct scope_key *k, const struct model_reg *r)
{
	k->vms = xreallocarray(k->vms, k->nvms + 1, sizeof(*k->vms));
	k->vms[k->nvms++] = xstrdup(r->vm);
	if (r->naddrs == 0)
		return;
	k->addrs = xreallocarray(k->addrs, k->naddrs + r->naddrs,
	    sizeof(*k->addrs));
	memcpy(k->addrs + k->naddrs, r->addrs, r->naddrs * sizeof(*k->addrs));
	k->naddrs += r->naddrs;
}

static void
scope_note_group(struct scope *s, const struct model_reg *r)
{
	char g[NAME_LABEL_BUF], srv[NAME_FQDN_BUF];
	struct scope_key *k;

	k = scope_add(&s->labels, scope_label(s->cfg, r));
	scope_note_values(k, r);
	if (model_group_name(s->cfg, r, g) == -1)
		return;
	if (k->name == NULL)
		k->name = xstrdup(g);
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
scope_begin(struct scope *s, const struct model_config *cfg,
    struct scope_reps *known, int64_t now)
{
	scope_set_free(&s->reps);
	s->now = now;
	s->picked = 0;
	s->withheld = cfg->withheld;
	s->withheld_ctx = cfg->withheld_ctx;
	s->known = known;
}

void
scope_end(struct scope *s)
{
	if (s->known == NULL)
		return;
	scope_set_free(&s->known->map);
	s->known->map = s->reps;
	s->known->valid = 1;
	s->reps = NULL;
}

void
scope_reps_clear(struct scope_reps *r)
{
	scope_set_free(&r->map);
	r->valid = 0;
}

void
scope_plan(struct scope *s, int (*patchable)(void *ctx, const char *group),
    void *ctx)
{
	struct scope_key *k;

	for (k = s->labels; k != NULL; k = k->hh.next)
		k->patched = k->name != NULL && patchable(ctx, k->name);
}

const struct model_patch *
scope_patch(void *ctx, const char *label)
{
	struct scope_key *k = scope_find(((struct scope *)ctx)->labels, label);

	if (k == NULL || !k->patched)
		return NULL;
	k->patch = (struct model_patch){ (const char *const *)k->vms, k->nvms,
	    k->addrs, k->naddrs };
	return &k->patch;
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

static int
scope_withheld(const struct scope *s, const char *vm)
{
	return s->withheld != NULL && s->withheld(s->withheld_ctx, vm);
}

int
scope_only(void *ctx, const struct model_reg *r)
{
	struct scope *s = ctx;
	const char *label = scope_label(s->cfg, r);
	const struct scope_key *k = scope_find(s->labels, label);

	/* the first member not withheld keeps its group in the build (its
	 * name in the host's SRV node; a patched one's nodes written) */
	if (scope_find(s->reps, label) == NULL && !scope_withheld(s, r->vm)) {
		scope_add(&s->reps, label)->name = xstrdup(r->vm);
		return 1;
	}
	if (k != NULL && !k->patched)
		return 1;		/* a group rebuilt: all its members */
	return scope_only_full(ctx, r);
}

/* Is r still the known member of the group label? */
static int
scope_rep_ok(const struct scope *s, const struct model_reg *r,
    const char *label)
{
	return strcmp(r->host, s->cfg->host) == 0 &&
	    (r->expires == 0 || r->expires > s->now) &&
	    strcmp(scope_label(s->cfg, r), label) == 0 &&
	    !scope_withheld(s, r->vm);
}

/* Does any registration but those of v[0..n) hold an address in scope? */
static int
scope_shared(const struct scope *s, const struct model_regs *regs,
    const struct model_reg **v, size_t n)
{
	const struct scope_key *k;
	uint32_t mine;
	size_t i, j;

	for (k = s->addrs; k != NULL; k = k->hh.next) {
		mine = 0;
		for (i = 0; i < n; i++)
			for (j = 0; j < v[i]->naddrs; j++)
				mine += event_addr_cmp(&v[i]->addrs[j],
				    &k->addr) == 0;
		if (model_addr_holders(regs, &k->addr) > mine)
			return 1;
	}
	return 0;
}

int
scope_pick(void *ctx, const struct model_regs *regs,
    const struct model_reg ***out, size_t *count)
{
	struct scope *s = ctx;
	const struct model_reg **v;
	struct scope_key *k;
	struct model_reg *r;
	size_t i, n = 0, noted;

	if (s->known == NULL || !s->known->valid)
		return 0;
	for (k = s->labels; k != NULL; k = k->hh.next)
		if (!k->patched)
			return 0;	/* rebuilt: every member wanted */
	v = xcalloc(HASH_COUNT(s->vms) + HASH_COUNT(s->known->map) + 1,
	    sizeof(*v));
	for (k = s->vms; k != NULL; k = k->hh.next) {
		HASH_FIND_STR(regs->by_vm, k->key, r);
		if (r != NULL)
			v[n++] = r;
	}
	noted = n;
	if (scope_shared(s, regs, v, n))
		goto walk;
	for (k = s->known->map; k != NULL; k = k->hh.next) {
		HASH_FIND_STR(regs->by_vm, k->name, r);
		if (r == NULL || !scope_rep_ok(s, r, k->key))
			goto walk;
		for (i = 0; i < noted && v[i] != r; i++)
			;
		if (i == noted)
			v[n++] = r;
	}
	*out = v;
	*count = n;
	s->picked = 1;
	return 1;
walk:
	free(v);
	return 0;
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
