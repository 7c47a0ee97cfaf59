/*
 * modelbuild.c - registrations -> desired directory state of one host
 * (pure): groups, their nodes and objects, the PTR and VM nodes (the
 * records themselves: modelrr.c); a full pass's in parts.
 */
#include "config.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "model.h"
#include "modelrr.h"
#include "xmem.h"

struct build_group {
	char name[NAME_LABEL_BUF];
	struct model_group group;
	const struct model_patch *patch;	/* patched: what may leave */
	UT_hash_handle hh;
};

struct build {
	const struct model_config *cfg;
	struct modelrr rr;		/* the nodes and records */
	struct arena *gmem;		/* the groups' strings and arrays */
	struct build_group *groups;
};

static const char *
build_group_label(const struct build *b, const struct model_reg *r)
{
	if (b->cfg->grouping == MODEL_GROUP_HOST)
		return b->cfg->host_group;
	return r->image[0] != '\0' ? r->image : b->cfg->no_image;
}

int
model_group_name(const struct model_config *cfg, const struct model_reg *r,
    char out[NAME_LABEL_BUF])
{
	const struct build b = { .cfg = cfg };

	return name_group(r->host, build_group_label(&b, r), out);
}

static int
build_withheld(const struct build *b, const char *name)
{
	return b->cfg->withheld != NULL &&
	    b->cfg->withheld(b->cfg->withheld_ctx, name);
}

/* p (n elements of size) with room for add more: its capacity the power of
 * two at or above n, doubled as needed. */
static void *
build_grow(void *p, size_t n, size_t add, size_t size)
{
	size_t cap = 1, want = n + add;

	if (want < n || want > SIZE_MAX / 2)
		fatalx("model: %zu + %zu elements", n, add);
	while (cap < n)
		cap <<= 1;
	if (p != NULL && want <= cap)
		return p;
	while (cap < want)
		cap <<= 1;
	return xreallocarray(p, cap, size);
}

/* Join the VM to its group, unless the group's name is withheld. */
static int
build_group_join(struct build *b, const struct model_reg *r)
{
	struct build_group *bg;
	struct model_group *g;
	char gname[NAME_LABEL_BUF];

	if (name_group(r->host, build_group_label(b, r), gname) == -1)
		return modelrr_fail(&b->rr, "cannot name the group of", r->vm);
	if (build_withheld(b, gname))
		return 0;
	HASH_FIND_STR(b->groups, gname, bg);
	if (bg == NULL) {
		bg = xcalloc(1, sizeof(*bg));
		(void)xstrlcpy(bg->name, gname, sizeof(bg->name));
		HASH_ADD_STR(b->groups, name, bg);
		g = &bg->group;
		(void)xstrlcpy(g->name, gname, sizeof(g->name));
		(void)xstrlcpy(g->host, r->host, sizeof(g->host));
		if (b->cfg->grouping == MODEL_GROUP_IMAGE)
			(void)xstrlcpy(g->image, build_group_label(b, r),
			    sizeof(g->image));
		if (name_fqdn(gname, b->cfg->zone, g->fqdn) == -1)
			return modelrr_fail(&b->rr, "name too long", gname);
		if (b->cfg->patch != NULL)
			bg->patch = b->cfg->patch(b->cfg->only_ctx,
			    build_group_label(b, r));
		g->patch = bg->patch != NULL;
	}
	g = &bg->group;
	g->members = build_grow(g->members, g->nmembers, 1,
	    sizeof(*g->members));
	g->members[g->nmembers++] = arena_strdup(b->gmem, r->vm);
	g->addrs = build_grow(g->addrs, g->naddrs, r->naddrs,
	    sizeof(*g->addrs));
	memcpy(g->addrs + g->naddrs, r->addrs, r->naddrs * sizeof(*g->addrs));
	g->naddrs += r->naddrs;
	return 0;
}

static unsigned
part_of(uint64_t h, unsigned nparts)
{
	return nparts <= 1 ? 0 : (unsigned)((h ^ (h >> 32)) % nparts);
}

unsigned
model_part_addr(const struct event_addr *a, unsigned nparts)
{
	const void *p = a->family == AF_INET ? (const void *)&a->u.v4 :
	    (const void *)&a->u.v6;
	size_t len = a->family == AF_INET ? sizeof(a->u.v4) : sizeof(a->u.v6);

	return part_of(name_fnv1a64_update(name_fnv1a64(""), p, len), nparts);
}

unsigned
model_part_vm(const char *vm, unsigned nparts)
{
	return part_of(name_fnv1a64(vm), nparts);
}

/* Has r anything in this part?  Part 0 has every registration (the
 * groups); a later one only those with an address or VM node in it. */
static int
build_in_part(const struct build *b, const struct model_reg *r)
{
	const struct model_config *cfg = b->cfg;
	size_t i;

	if (cfg->part == 0)
		return 1;
	if (cfg->vm_records && model_part_vm(r->vm, cfg->nparts) == cfg->part)
		return 1;
	for (i = 0; i < r->naddrs; i++)
		if (model_part_addr(&r->addrs[i], cfg->nparts) == cfg->part)
			return 1;
	return 0;
}

static int
build_reg(struct build *b, const struct model_reg *r)
{
	char vmfqdn[NAME_FQDN_BUF];

	if (!build_in_part(b, r))
		return 0;
	if (build_withheld(b, r->vm))
		return 0;	/* nothing may point at a name held by another */
	if (name_fqdn(r->vm, b->cfg->zone, vmfqdn) == -1)
		return modelrr_fail(&b->rr, "name too long", r->vm);
	if (b->cfg->part == 0 && build_group_join(b, r) == -1)
		return -1;
	if (b->cfg->only != NULL && b->cfg->only_full != NULL &&
	    !b->cfg->only_full(b->cfg->only_ctx, r))
		return 0;	/* a member only: its own nodes not wanted */
	if (modelrr_ptrs(&b->rr, r, vmfqdn) == -1)
		return -1;
	if (b->cfg->vm_records && model_part_vm(r->vm, b->cfg->nparts) ==
	    b->cfg->part && modelrr_vm(&b->rr, r) == -1)
		return -1;
	return 0;
}

/* Sort the group's addresses, dropping duplicates (two VMs, one address). */
static void
group_addrs_normalize(struct model_group *g)
{
	size_t i, n = 0;

	qsort(g->addrs, g->naddrs, sizeof(*g->addrs), event_addr_qcmp);
	for (i = 0; i < g->naddrs; i++)
		if (n == 0 || event_addr_cmp(&g->addrs[n - 1], &g->addrs[i]))
			g->addrs[n++] = g->addrs[i];
	g->naddrs = n;
}

static int
str_qcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The addresses of p that no member built holds any more: out of the
 * group node and the object. */
static int
build_gone_addrs(struct build *b, struct build_group *bg,
    struct model_node *node)
{
	struct model_group *g = &bg->group;
	const struct model_patch *p = bg->patch;
	struct event_addr *v;
	size_t i;

	v = arena_alloc(b->gmem, (p->naddrs + 1) * sizeof(*v),
	    alignof(struct event_addr));
	memcpy(v, p->addrs, p->naddrs * sizeof(*v));
	qsort(v, p->naddrs, sizeof(*v), event_addr_qcmp);
	g->gone_addrs = v;
	for (i = 0; i < p->naddrs; i++) {
		if ((g->ngone_addrs > 0 && event_addr_cmp(&v[i],
		    &g->gone_addrs[g->ngone_addrs - 1]) == 0) ||
		    bsearch(&v[i], g->addrs, g->naddrs, sizeof(*g->addrs),
		    event_addr_qcmp) != NULL)
			continue;
		v[g->ngone_addrs++] = v[i];
		if (modelrr_gone_addr(&b->rr, node, &v[i]) == -1)
			return -1;
	}
	return 0;
}

/* The VMs of p that are no members any more: out of the SRV node and
 * the object. */
static int
build_gone_members(struct build *b, struct build_group *bg,
    struct model_node *node)
{
	struct model_group *g = &bg->group;
	const struct model_patch *p = bg->patch;
	char target[NAME_FQDN_BUF];
	const char **v;
	size_t i;

	v = arena_alloc(b->gmem, (p->nvms + 1) * sizeof(*v),
	    alignof(const char *));
	memcpy(v, p->vms, p->nvms * sizeof(*v));
	qsort(v, p->nvms, sizeof(*v), str_qcmp);
	g->gone_members = v;
	for (i = 0; i < p->nvms; i++) {
		if ((g->ngone_members > 0 && strcmp(v[i],
		    g->gone_members[g->ngone_members - 1]) == 0) ||
		    bsearch(&v[i], g->members, g->nmembers,
		    sizeof(*g->members), str_qcmp) != NULL)
			continue;
		v[g->ngone_members] = arena_strdup(b->gmem, v[i]);
		if (name_fqdn(v[i], b->cfg->zone, target) == -1 ||
		    modelrr_gone_srv(&b->rr, node, target) == -1)
			return modelrr_fail(&b->rr, "name too long", v[i]);
		g->ngone_members++;
	}
	return 0;
}

/* Group node, group -> VMs SRV node, host -> groups SRV record. */
static int
build_group_nodes(struct build *b, struct build_group *bg,
    struct model_node *hostsrv)
{
	struct model_group *g = &bg->group;
	struct model_node *node;
	char name[NAME_FQDN_BUF], target[NAME_FQDN_BUF];
	size_t i;

	group_addrs_normalize(g);
	node = modelrr_node(&b->rr, MODEL_NODE_GROUP, b->rr.zone, g->name);
	if (node == NULL)
		return -1;
	modelrr_reserve(&b->rr, node, g->naddrs);
	for (i = 0; i < g->naddrs; i++)
		if (modelrr_addr(&b->rr, node, &g->addrs[i]) == -1)
			return -1;
	if (bg->patch != NULL) {
		modelrr_patch(&b->rr, node);
		if (build_gone_addrs(b, bg, node) == -1)
			return -1;
	}
	if (name_srv_group(g->name, name) == -1)
		return modelrr_fail(&b->rr, "name too long", g->name);
	node = modelrr_node(&b->rr, MODEL_NODE_SRV_GROUP, b->rr.zone, name);
	if (node == NULL)
		return -1;
	modelrr_reserve(&b->rr, node, g->nmembers);
	for (i = 0; i < g->nmembers; i++) {
		if (name_fqdn(g->members[i], b->cfg->zone, target) == -1 ||
		    modelrr_srv(&b->rr, node, target) == -1)
			return modelrr_fail(&b->rr, "name too long",
			    g->members[i]);
	}
	if (bg->patch != NULL) {
		modelrr_patch(&b->rr, node);
		if (build_gone_members(b, bg, node) == -1)
			return -1;
	}
	return modelrr_srv(&b->rr, hostsrv, g->fqdn);
}

static int
build_groups(struct build *b)
{
	struct build_group *bg, *tmp;
	struct model_node *hostsrv;
	char name[NAME_FQDN_BUF];

	if (b->groups == NULL)
		return 0;
	if (name_srv_host(b->cfg->host, name) == -1)
		return modelrr_fail(&b->rr, "name too long", b->cfg->host);
	hostsrv = modelrr_node(&b->rr, MODEL_NODE_SRV_HOST, b->rr.zone, name);
	if (hostsrv == NULL)
		return -1;
	HASH_ITER(hh, b->groups, bg, tmp) {
		if (build_group_nodes(b, bg, hostsrv) == -1)
			return -1;
	}
	return 0;
}

static int
reg_qcmp(const void *a, const void *b)
{
	const struct model_reg *const *x = a, *const *y = b;

	return strcmp((*x)->vm, (*y)->vm);
}

/* Is r one of this host's live registrations the build wants? */
static int
live_reg(const struct model_reg *r, const struct model_config *cfg,
    int64_t now)
{
	return strcmp(r->host, cfg->host) == 0 &&
	    (r->expires == 0 || r->expires > now) &&
	    (cfg->only == NULL || cfg->only(cfg->only_ctx, r));
}

/* This host's live registrations, sorted by VM name: those cfg->pick
 * names, or all of them. */
static const struct model_reg **
live_regs(const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, size_t *count)
{
	const struct model_reg **v, *r;
	size_t i, m, n = 0;

	if (cfg->only != NULL && cfg->pick != NULL &&
	    cfg->pick(cfg->only_ctx, regs, &v, &m)) {
		for (i = 0; i < m; i++)
			if (live_reg(v[i], cfg, now))
				v[n++] = v[i];
	} else {
		v = xcalloc(HASH_COUNT(regs->by_vm) + 1, sizeof(*v));
		for (r = regs->by_vm; r != NULL; r = r->hh.next)
			if (live_reg(r, cfg, now))
				v[n++] = r;
	}
	if (cfg->part == 0)	/* the groups' members in order */
		qsort(v, n, sizeof(*v), reg_qcmp);
	*count = n;
	return v;
}

static int
group_qcmp(const void *a, const void *b)
{
	const struct model_group *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Move the built nodes and groups into out (sorted); empties the build
 * (its tmp arena freed before the pass goes on to the directory).  0, or
 * -1 if a node's owner value could not be made (err). */
static int
build_finish(struct build *b, struct model_desired *out)
{
	struct build_group *bg, *gtmp;
	int rc = modelrr_finish(&b->rr, &out->nodes, &out->nnodes);

	out->ngroups = HASH_COUNT(b->groups);
	out->groups = xcalloc(out->ngroups, sizeof(*out->groups));
	out->ngroups = 0;
	HASH_ITER(hh, b->groups, bg, gtmp) {
		HASH_DEL(b->groups, bg);
		out->groups[out->ngroups++] = bg->group;
		free(bg);
	}
	qsort(out->groups, out->ngroups, sizeof(*out->groups), group_qcmp);
	return rc;
}

int
model_desired(const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, struct model_desired *out, char *err, size_t errlen)
{
	struct build b = { .cfg = cfg };
	const struct model_reg **live;
	size_t i, n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	arena_init(&out->mem);
	arena_init(&out->gmem);
	b.gmem = &out->gmem;
	modelrr_init(&b.rr, cfg, &out->mem, err, errlen);
	live = live_regs(regs, cfg, now, &n);
	for (i = 0; i < n; i++)
		if (build_reg(&b, live[i]) == -1)
			goto out;
	if (build_groups(&b) == -1)
		goto out;
	rc = 0;
out:
	if (build_finish(&b, out) == -1)
		rc = -1;
	if (rc == -1)
		model_desired_free(out);
	free(live);
	return rc;
}

static void
model_group_free(struct model_group *g)
{
	free(g->members);
	free(g->addrs);
}

void
model_desired_keep(struct model_desired *d,
    int (*node)(const void *ctx, const struct model_node *n),
    int (*group)(const void *ctx, const struct model_group *g),
    const void *ctx)
{
	size_t i, n = 0;

	for (i = 0; i < d->nnodes; i++)	/* records: in the arena */
		if (node(ctx, &d->nodes[i]))
			d->nodes[n++] = d->nodes[i];
	d->nnodes = n;
	for (i = n = 0; i < d->ngroups; i++) {
		if (group(ctx, &d->groups[i]))
			d->groups[n++] = d->groups[i];
		else
			model_group_free(&d->groups[i]);
	}
	d->ngroups = n;
}

void
model_desired_free(struct model_desired *d)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		model_group_free(&d->groups[i]);
	free(d->nodes);
	free(d->groups);
	arena_free(&d->mem);
	arena_free(&d->gmem);
	memset(d, 0, sizeof(*d));
}

void
model_desired_drop_nodes(struct model_desired *d)
{
	free(d->nodes);
	d->nodes = NULL;
	d->nnodes = 0;
	arena_free(&d->mem);
}
