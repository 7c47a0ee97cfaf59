/*
 * model.c - registrations -> desired directory state of one host (pure).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "model.h"
#include "xmem.h"

/* A node under construction, hashed by its FQDN. */
struct build_node {
	char fqdn[NAME_FQDN_BUF];
	struct model_node node;
	UT_hash_handle hh;
};

struct build_group {
	char name[NAME_LABEL_BUF];
	struct model_group group;
	UT_hash_handle hh;
};

struct build {
	const struct model_config *cfg;
	struct build_node *nodes;
	struct build_group *groups;
	char *err;
	size_t errlen;
};

void
model_config_init(struct model_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->grouping = MODEL_GROUP_IMAGE;
	(void)xstrlcpy(cfg->host_group, MODEL_DEFAULT_HOST_GROUP,
	    sizeof(cfg->host_group));
	(void)xstrlcpy(cfg->no_image, MODEL_DEFAULT_NO_IMAGE,
	    sizeof(cfg->no_image));
	cfg->ttl = 300;
	cfg->serial = 1;
	for (i = 0; i < MODEL_MAX_REVZONES; i++)
		cfg->revserials[i] = 1;
}

void
model_regs_init(struct model_regs *regs)
{
	regs->by_vm = NULL;
	release_init(&regs->released, RELEASE_DEFAULT_HOLD);
}

void
model_regs_free(struct model_regs *regs)
{
	struct model_reg *r, *tmp;

	HASH_ITER(hh, regs->by_vm, r, tmp) {
		HASH_DEL(regs->by_vm, r);
		free(r);
	}
	release_free(&regs->released);
}

size_t
model_regs_count(const struct model_regs *regs)
{
	return HASH_COUNT(regs->by_vm);
}

static void
model_reg_fill(struct model_reg *r, const struct event *ev)
{
	(void)xstrlcpy(r->host, ev->host, sizeof(r->host));
	(void)xstrlcpy(r->image, ev->image, sizeof(r->image));
	memcpy(r->addrs, ev->addrs, sizeof(r->addrs));
	r->naddrs = ev->naddrs;
	r->time = ev->time;
	r->expires = ev->expires;
	r->source = ev->source;
	r->has_mac = ev->has_mac;
	memcpy(r->mac, ev->mac, sizeof(r->mac));
}

int
model_apply(struct model_regs *regs, const struct event *ev)
{
	struct model_reg *r;

	HASH_FIND_STR(regs->by_vm, ev->vm, r);
	if (r != NULL && ev->time < r->time)
		return 0;		/* older than what we hold: stale */
	if (ev->op == EVENT_OP_RELEASE) {
		release_note(&regs->released, ev, 0);
		if (r == NULL || strcmp(r->host, ev->host) != 0)
			return 0;	/* unknown, or the VM moved away */
		HASH_DEL(regs->by_vm, r);
		free(r);
		return 1;
	}
	if (release_blocks(&regs->released, ev))
		return 0;		/* older than its release: stale */
	release_lease(&regs->released, ev);
	if (r == NULL) {
		r = xcalloc(1, sizeof(*r));
		(void)xstrlcpy(r->vm, ev->vm, sizeof(r->vm));
		HASH_ADD_STR(regs->by_vm, vm, r);
	}
	model_reg_fill(r, ev);
	return 1;
}

size_t
model_expire(struct model_regs *regs, int64_t now)
{
	struct model_reg *r, *tmp;
	size_t n = 0;

	HASH_ITER(hh, regs->by_vm, r, tmp) {
		if (r->expires != 0 && r->expires <= now) {
			HASH_DEL(regs->by_vm, r);
			free(r);
			n++;
		}
	}
	(void)release_expire(&regs->released, now);
	return n;
}

const char *
model_node_kind_name(enum model_node_kind kind)
{
	switch (kind) {
	case MODEL_NODE_GROUP:
		return "group";
	case MODEL_NODE_SRV_HOST:
		return "srv-host";
	case MODEL_NODE_SRV_GROUP:
		return "srv-group";
	case MODEL_NODE_VM:
		return "vm";
	case MODEL_NODE_PTR:
		return "ptr";
	}
	return "unknown";
}

static int
build_fail(struct build *b, const char *what, const char *name)
{
	if (xsnprintf(b->err, b->errlen, "%s: %s", what, name) == -1 &&
	    b->errlen > 0)
		b->err[b->errlen - 1] = '\0';
	return -1;
}

/* Find or create the node zone/name; a clash of kinds is an error. */
static struct model_node *
build_node_get(struct build *b, enum model_node_kind kind, const char *zone,
    const char *name)
{
	struct build_node *bn;
	char fqdn[NAME_FQDN_BUF];

	if (name_fqdn(name, zone, fqdn) == -1) {
		build_fail(b, "name too long", name);
		return NULL;
	}
	HASH_FIND_STR(b->nodes, fqdn, bn);
	if (bn != NULL) {
		if (bn->node.kind != kind) {
			build_fail(b, "two kinds of records want one name",
			    fqdn);
			return NULL;
		}
		return &bn->node;
	}
	bn = xcalloc(1, sizeof(*bn));
	(void)xstrlcpy(bn->fqdn, fqdn, sizeof(bn->fqdn));
	bn->node.kind = kind;
	(void)xstrlcpy(bn->node.zone, zone, sizeof(bn->node.zone));
	(void)xstrlcpy(bn->node.name, name, sizeof(bn->node.name));
	HASH_ADD_STR(b->nodes, fqdn, bn);
	return &bn->node;
}

static int
build_rr_add(struct build *b, struct model_node *node, const struct dnsrec *rec)
{
	struct model_rr *rr;

	node->rrs = xreallocarray(node->rrs, node->nrrs + 1, sizeof(*rr));
	rr = &node->rrs[node->nrrs];
	memset(rr, 0, sizeof(*rr));
	rr->rec = *rec;
	if (dnsrec_encode(rec, rr->val, sizeof(rr->val), &rr->len) == -1)
		return build_fail(b, "cannot encode a record of", node->name);
	node->nrrs++;
	return 0;
}

/* A record header for a record of node: the serial of the node's zone. */
static void
build_rec_init(const struct build *b, struct dnsrec *rec, uint16_t type,
    const struct model_node *node)
{
	uint32_t serial = b->cfg->serial;
	size_t i;

	for (i = 0; i < b->cfg->nrevzones; i++)
		if (strcmp(node->zone, b->cfg->revzones[i]) == 0)
			serial = b->cfg->revserials[i];
	dnsrec_init(rec, type, serial, b->cfg->ttl, b->cfg->timestamp);
}

static int
build_addr_rr(struct build *b, struct model_node *node,
    const struct event_addr *a)
{
	struct dnsrec rec;

	if (a->family == AF_INET) {
		build_rec_init(b, &rec, DNSREC_TYPE_A, node);
		memcpy(rec.u.a, &a->u.v4, sizeof(rec.u.a));
	} else {
		build_rec_init(b, &rec, DNSREC_TYPE_AAAA, node);
		memcpy(rec.u.aaaa, &a->u.v6, sizeof(rec.u.aaaa));
	}
	return build_rr_add(b, node, &rec);
}

static int
build_srv_rr(struct build *b, struct model_node *node, const char *target)
{
	struct dnsrec rec;

	build_rec_init(b, &rec, DNSREC_TYPE_SRV, node);
	rec.u.srv.priority = b->cfg->srv_priority;
	rec.u.srv.weight = b->cfg->srv_weight;
	rec.u.srv.port = b->cfg->srv_port;
	if (xstrlcpy(rec.u.srv.target, target, sizeof(rec.u.srv.target)) == -1)
		return build_fail(b, "SRV target too long", target);
	return build_rr_add(b, node, &rec);
}

/* The reverse zone (longest match) holding addr, and addr's name in it. */
int
model_ptr_place(const struct model_config *cfg, const struct event_addr *a,
    const char **zone, char rel[NAME_FQDN_BUF])
{
	char rev[NAME_FQDN_BUF], cand[NAME_FQDN_BUF];
	size_t i, best = 0;

	*zone = NULL;
	if (name_ptr(a->family, &a->u, rev) == -1)
		return -1;
	for (i = 0; i < cfg->nrevzones; i++) {
		const char *z = cfg->revzones[i];

		if (name_relative(rev, z, cand) == -1 ||
		    strcmp(cand, "@") == 0 || strlen(z) <= best)
			continue;
		best = strlen(z);
		*zone = z;
		(void)xstrlcpy(rel, cand, NAME_FQDN_BUF);
	}
	return *zone != NULL ? 0 : -1;
}

static int
build_vm_ptrs(struct build *b, const struct model_reg *r, const char *vmfqdn)
{
	struct model_node *node;
	struct dnsrec rec;
	char rel[NAME_FQDN_BUF];
	const char *zone;
	size_t i;

	for (i = 0; i < r->naddrs; i++) {
		if (model_ptr_place(b->cfg, &r->addrs[i], &zone, rel) == -1)
			continue;	/* no reverse zone for it: no PTR */
		node = build_node_get(b, MODEL_NODE_PTR, zone, rel);
		if (node == NULL)
			return -1;
		build_rec_init(b, &rec, DNSREC_TYPE_PTR, node);
		(void)xstrlcpy(rec.u.name, vmfqdn, sizeof(rec.u.name));
		if (build_rr_add(b, node, &rec) == -1)
			return -1;
	}
	return 0;
}

static int
build_vm_node(struct build *b, const struct model_reg *r)
{
	struct model_node *node;
	size_t i;

	node = build_node_get(b, MODEL_NODE_VM, b->cfg->zone, r->vm);
	if (node == NULL)
		return -1;
	for (i = 0; i < r->naddrs; i++)
		if (build_addr_rr(b, node, &r->addrs[i]) == -1)
			return -1;
	return 0;
}

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

/* Join the VM to its group, unless the group's name is withheld. */
static int
build_group_join(struct build *b, const struct model_reg *r)
{
	struct build_group *bg;
	struct model_group *g;
	char gname[NAME_LABEL_BUF];

	if (name_group(r->host, build_group_label(b, r), gname) == -1)
		return build_fail(b, "cannot name the group of", r->vm);
	if (build_withheld(b, gname))
		return 0;
	HASH_FIND_STR(b->groups, gname, bg);
	if (bg == NULL) {
		bg = xcalloc(1, sizeof(*bg));
		(void)xstrlcpy(bg->name, gname, sizeof(bg->name));
		g = &bg->group;
		(void)xstrlcpy(g->name, gname, sizeof(g->name));
		(void)xstrlcpy(g->host, r->host, sizeof(g->host));
		if (b->cfg->grouping == MODEL_GROUP_IMAGE)
			(void)xstrlcpy(g->image, build_group_label(b, r),
			    sizeof(g->image));
		if (name_fqdn(gname, b->cfg->zone, g->fqdn) == -1)
			return build_fail(b, "name too long", gname);
		HASH_ADD_STR(b->groups, name, bg);
	}
	g = &bg->group;
	g->members = xreallocarray(g->members, g->nmembers + 1,
	    sizeof(*g->members));
	(void)xstrlcpy(g->members[g->nmembers++], r->vm, NAME_LABEL_BUF);
	g->addrs = xreallocarray(g->addrs, g->naddrs + r->naddrs,
	    sizeof(*g->addrs));
	memcpy(g->addrs + g->naddrs, r->addrs, r->naddrs * sizeof(*g->addrs));
	g->naddrs += r->naddrs;
	return 0;
}

static int
build_reg(struct build *b, const struct model_reg *r)
{
	char vmfqdn[NAME_FQDN_BUF];

	if (build_withheld(b, r->vm))
		return 0;	/* nothing may point at a name held by another */
	if (name_fqdn(r->vm, b->cfg->zone, vmfqdn) == -1)
		return build_fail(b, "name too long", r->vm);
	if (build_group_join(b, r) == -1 || build_vm_ptrs(b, r, vmfqdn) == -1)
		return -1;
	if (b->cfg->vm_records && build_vm_node(b, r) == -1)
		return -1;
	return 0;
}

static int
rr_qcmp(const void *a, const void *b)
{
	const struct model_rr *x = a, *y = b;

	return dnsrec_cmp_bytes(x->val, x->len, y->val, y->len);
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

static void
node_rrs_normalize(struct model_node *node)
{
	size_t i, n = 0;

	qsort(node->rrs, node->nrrs, sizeof(*node->rrs), rr_qcmp);
	for (i = 0; i < node->nrrs; i++)
		if (n == 0 || rr_qcmp(&node->rrs[n - 1], &node->rrs[i]))
			node->rrs[n++] = node->rrs[i];
	node->nrrs = n;
}

/* Group node, group -> VMs SRV node, host -> groups SRV record. */
static int
build_group_nodes(struct build *b, struct model_group *g,
    struct model_node *hostsrv)
{
	struct model_node *node;
	char name[NAME_FQDN_BUF], target[NAME_FQDN_BUF];
	size_t i;

	group_addrs_normalize(g);
	node = build_node_get(b, MODEL_NODE_GROUP, b->cfg->zone, g->name);
	if (node == NULL)
		return -1;
	for (i = 0; i < g->naddrs; i++)
		if (build_addr_rr(b, node, &g->addrs[i]) == -1)
			return -1;
	if (name_srv_group(g->name, name) == -1)
		return build_fail(b, "name too long", g->name);
	node = build_node_get(b, MODEL_NODE_SRV_GROUP, b->cfg->zone, name);
	if (node == NULL)
		return -1;
	for (i = 0; i < g->nmembers; i++) {
		if (name_fqdn(g->members[i], b->cfg->zone, target) == -1 ||
		    build_srv_rr(b, node, target) == -1)
			return build_fail(b, "name too long", g->members[i]);
	}
	return build_srv_rr(b, hostsrv, g->fqdn);
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
		return build_fail(b, "name too long", b->cfg->host);
	hostsrv = build_node_get(b, MODEL_NODE_SRV_HOST, b->cfg->zone, name);
	if (hostsrv == NULL)
		return -1;
	HASH_ITER(hh, b->groups, bg, tmp) {
		if (build_group_nodes(b, &bg->group, hostsrv) == -1)
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

/* This host's live registrations, sorted by VM name. */
static const struct model_reg **
live_regs(const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, size_t *count)
{
	const struct model_reg **v, *r;
	size_t n = 0;

	v = xcalloc(HASH_COUNT(regs->by_vm) + 1, sizeof(*v));
	for (r = regs->by_vm; r != NULL; r = r->hh.next) {
		if (strcmp(r->host, cfg->host) != 0)
			continue;
		if (r->expires != 0 && r->expires <= now)
			continue;
		if (cfg->only != NULL && !cfg->only(cfg->only_ctx, r))
			continue;
		v[n++] = r;
	}
	qsort(v, n, sizeof(*v), reg_qcmp);
	*count = n;
	return v;
}

static int
node_qcmp(const void *a, const void *b)
{
	const struct model_node *x = a, *y = b;
	int c = strcmp(x->zone, y->zone);

	return c != 0 ? c : strcmp(x->name, y->name);
}

static int
group_qcmp(const void *a, const void *b)
{
	const struct model_group *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Move the built nodes and groups into out (sorted); empties the build. */
static void
build_finish(struct build *b, struct model_desired *out)
{
	struct build_node *bn, *ntmp;
	struct build_group *bg, *gtmp;

	out->nnodes = HASH_COUNT(b->nodes);
	out->nodes = xcalloc(out->nnodes, sizeof(*out->nodes));
	out->nnodes = 0;
	HASH_ITER(hh, b->nodes, bn, ntmp) {
		HASH_DEL(b->nodes, bn);
		node_rrs_normalize(&bn->node);
		out->nodes[out->nnodes++] = bn->node;
		free(bn);
	}
	qsort(out->nodes, out->nnodes, sizeof(*out->nodes), node_qcmp);
	out->ngroups = HASH_COUNT(b->groups);
	out->groups = xcalloc(out->ngroups, sizeof(*out->groups));
	out->ngroups = 0;
	HASH_ITER(hh, b->groups, bg, gtmp) {
		HASH_DEL(b->groups, bg);
		out->groups[out->ngroups++] = bg->group;
		free(bg);
	}
	qsort(out->groups, out->ngroups, sizeof(*out->groups), group_qcmp);
}

int
model_desired(const struct model_regs *regs, const struct model_config *cfg,
    int64_t now, struct model_desired *out, char *err, size_t errlen)
{
	struct build b = { .cfg = cfg, .err = err, .errlen = errlen };
	const struct model_reg **live;
	size_t i, n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	live = live_regs(regs, cfg, now, &n);
	for (i = 0; i < n; i++)
		if (build_reg(&b, live[i]) == -1)
			goto out;
	if (build_groups(&b) == -1)
		goto out;
	rc = 0;
out:
	build_finish(&b, out);
	if (rc == -1)
		model_desired_free(out);
	free(live);
	return rc;
}

static void
model_node_free(struct model_node *n)
{
	free(n->rrs);
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

	for (i = 0; i < d->nnodes; i++) {
		if (node(ctx, &d->nodes[i]))
			d->nodes[n++] = d->nodes[i];
		else
			model_node_free(&d->nodes[i]);
	}
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

	for (i = 0; i < d->nnodes; i++)
		model_node_free(&d->nodes[i]);
	for (i = 0; i < d->ngroups; i++)
		model_group_free(&d->groups[i]);
	free(d->nodes);
	free(d->groups);
	memset(d, 0, sizeof(*d));
}
