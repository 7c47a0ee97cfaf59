/*
 * modelrr.c - the desired state's DNS nodes and records (pure).
 */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "modelrr.h"
#include "ownrec.h"
#include "xmem.h"

/* A node under construction, hashed by its FQDN (kept in tmp). */
struct modelrr_node {
	const char *fqdn;
	int64_t t;			/* its owner value's time (ownrec.h) */
	struct model_node node;
	UT_hash_handle hh;
};

/* The node's owner value will say t if that is newer. */
static void
node_time(struct model_node *node, int64_t t)
{
	struct modelrr_node *bn = (struct modelrr_node *)(void *)
	    ((char *)node - offsetof(struct modelrr_node, node));

	if (t > bn->t)
		bn->t = t;
}

void
modelrr_init(struct modelrr *t, const struct model_config *cfg,
    struct arena *mem, char *err, size_t errlen)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->mem = mem;
	arena_init(&t->tmp);
	t->err = err;
	t->errlen = errlen;
	t->zone = arena_strdup(mem, cfg->zone);
	for (i = 0; i < cfg->nrevzones && i < MODEL_MAX_REVZONES; i++)
		t->revzones[i] = arena_strdup(mem, cfg->revzones[i]);
}

int
modelrr_fail(struct modelrr *t, const char *what, const char *name)
{
	if (xsnprintf(t->err, t->errlen, "%s: %s", what, name) == -1 &&
	    t->errlen > 0)
		t->err[t->errlen - 1] = '\0';
	return -1;
}

/* Find or create the node zone/name (zone: t->zone or one of
 * t->revzones); a clash of kinds is an error. */
struct model_node *
modelrr_node(struct modelrr *t, enum model_node_kind kind, const char *zone,
    const char *name)
{
	struct modelrr_node *bn;
	char fqdn[NAME_FQDN_BUF];

	if (name_fqdn(name, zone, fqdn) == -1) {
		modelrr_fail(t, "name too long", name);
		return NULL;
	}
	HASH_FIND_STR(t->nodes, fqdn, bn);
	if (bn != NULL) {
		if (bn->node.kind != kind) {
			modelrr_fail(t, "two kinds of records want one name",
			    fqdn);
			return NULL;
		}
		return &bn->node;
	}
	bn = arena_alloc(&t->tmp, sizeof(*bn), alignof(struct modelrr_node));
	memset(bn, 0, sizeof(*bn));
	bn->fqdn = arena_strdup(&t->tmp, fqdn);
	bn->node.kind = kind;
	bn->node.zone = zone;
	bn->node.name = arena_strdup(t->mem, name);
	HASH_ADD_KEYPTR(hh, t->nodes, bn->fqdn, strlen(bn->fqdn), bn);
	return &bn->node;
}

/* Room for want records in *arr (in mem: the old array stays there
 * until the build is freed, so a count known beforehand is reserved
 * once, exactly: modelrr_reserve). */
static void
rr_room(struct modelrr *t, struct model_rr **arr, size_t count, size_t *cap,
    size_t want)
{
	struct model_rr *rrs;

	if (want <= *cap)
		return;
	if (want > SIZE_MAX / sizeof(*rrs))
		fatalx("model: %zu records of one node", want);
	rrs = arena_alloc(t->mem, want * sizeof(*rrs),
	    alignof(struct model_rr));
	if (count > 0)
		memcpy(rrs, *arr, count * sizeof(*rrs));
	*arr = rrs;
	*cap = want;
}

void
modelrr_reserve(struct modelrr *t, struct model_node *node, size_t more)
{
	rr_room(t, &node->rrs, node->nrrs, &node->cap, node->nrrs + more);
}

/* The record, encoded, into mem: its value right-sized, the array
 * doubled when full. */
static int
rr_push(struct modelrr *t, struct model_rr **arr, size_t *count,
    size_t *cap, const char *name, const struct dnsrec *rec)
{
	uint8_t val[DNSREC_BUF];
	size_t len, n = *count;

	if (dnsrec_encode(rec, val, sizeof(val), &len) == -1)
		return modelrr_fail(t, "cannot encode a record of", name);
	if (n == *cap) {
		if (n > SIZE_MAX / 2)
			fatalx("model: %zu records of one node", n);
		rr_room(t, arr, n, cap, n == 0 ? 1 : 2 * n);
	}
	(*arr)[n].val = arena_memdup(t->mem, val, len);
	(*arr)[n].len = len;
	(*count)++;
	return 0;
}

static int
rr_add(struct modelrr *t, struct model_node *node, const struct dnsrec *rec)
{
	return rr_push(t, &node->rrs, &node->nrrs, &node->cap, node->name,
	    rec);
}

void
modelrr_patch(struct modelrr *t, struct model_node *node)
{
	if (node->gone != NULL)
		return;
	node->gone = arena_alloc(t->mem, sizeof(*node->gone),
	    alignof(struct model_gone));
	memset(node->gone, 0, sizeof(*node->gone));
}

/* A record the patched node must not hold. */
static int
rr_gone(struct modelrr *t, struct model_node *node, const struct dnsrec *rec)
{
	modelrr_patch(t, node);
	return rr_push(t, &node->gone->rrs, &node->gone->nrrs,
	    &node->gone->cap, node->name, rec);
}

/* A record header for a record of node: the serial of the node's zone. */
static void
rec_init(const struct modelrr *t, struct dnsrec *rec, uint16_t type,
    const struct model_node *node)
{
	uint32_t serial = t->cfg->serial;
	size_t i;

	for (i = 0; i < t->cfg->nrevzones; i++)
		if (strcmp(node->zone, t->revzones[i]) == 0)
			serial = t->cfg->revserials[i];
	dnsrec_init(rec, type, serial, t->cfg->ttl, t->cfg->timestamp);
}

static void
rec_addr(const struct modelrr *t, const struct model_node *node,
    const struct event_addr *a, struct dnsrec *rec)
{
	if (a->family == AF_INET) {
		rec_init(t, rec, DNSREC_TYPE_A, node);
		memcpy(rec->u.a, &a->u.v4, sizeof(rec->u.a));
	} else {
		rec_init(t, rec, DNSREC_TYPE_AAAA, node);
		memcpy(rec->u.aaaa, &a->u.v6, sizeof(rec->u.aaaa));
	}
}

static int
rec_srv(struct modelrr *t, const struct model_node *node, const char *target,
    struct dnsrec *rec)
{
	rec_init(t, rec, DNSREC_TYPE_SRV, node);
	rec->u.srv.priority = t->cfg->srv_priority;
	rec->u.srv.weight = t->cfg->srv_weight;
	rec->u.srv.port = t->cfg->srv_port;
	if (xstrlcpy(rec->u.srv.target, target, sizeof(rec->u.srv.target)) ==
	    -1)
		return modelrr_fail(t, "SRV target too long", target);
	return 0;
}

int
modelrr_addr(struct modelrr *t, struct model_node *node,
    const struct event_addr *a)
{
	struct dnsrec rec;

	rec_addr(t, node, a, &rec);
	return rr_add(t, node, &rec);
}

int
modelrr_gone_addr(struct modelrr *t, struct model_node *node,
    const struct event_addr *a)
{
	struct dnsrec rec;

	rec_addr(t, node, a, &rec);
	return rr_gone(t, node, &rec);
}

int
modelrr_srv(struct modelrr *t, struct model_node *node, const char *target)
{
	struct dnsrec rec;

	if (rec_srv(t, node, target, &rec) == -1)
		return -1;
	return rr_add(t, node, &rec);
}

int
modelrr_gone_srv(struct modelrr *t, struct model_node *node,
    const char *target)
{
	struct dnsrec rec;

	if (rec_srv(t, node, target, &rec) == -1)
		return -1;
	return rr_gone(t, node, &rec);
}

int
modelrr_ptr_zone(const struct model_config *cfg, const struct event_addr *a,
    char rel[NAME_FQDN_BUF])
{
	char rev[NAME_FQDN_BUF], cand[NAME_FQDN_BUF];
	size_t i, best = 0;
	int zone = -1;

	if (name_ptr(a->family, &a->u, rev) == -1)
		return -1;
	for (i = 0; i < cfg->nrevzones; i++) {
		const char *z = cfg->revzones[i];

		if (name_relative(rev, z, cand) == -1 ||
		    strcmp(cand, "@") == 0 || strlen(z) <= best)
			continue;
		best = strlen(z);
		zone = (int)i;
		(void)xstrlcpy(rel, cand, NAME_FQDN_BUF);
	}
	return zone;
}

/* The reverse zone (longest match) holding addr, and addr's name in it. */
static int
ptr_place(const struct modelrr *t, const struct event_addr *a,
    const char **zone, char rel[NAME_FQDN_BUF])
{
	int i = modelrr_ptr_zone(t->cfg, a, rel);

	*zone = i >= 0 ? t->revzones[i] : NULL;
	return i >= 0 ? 0 : -1;
}

int
modelrr_ptrs(struct modelrr *t, const struct model_reg *r, const char *vmfqdn)
{
	struct model_node *node;
	struct dnsrec rec;
	char rel[NAME_FQDN_BUF];
	const char *zone;
	size_t i;

	for (i = 0; i < r->naddrs; i++) {
		if (model_part_addr(&r->addrs[i], t->cfg->nparts) !=
		    t->cfg->part)
			continue;	/* another part's */
		if (ptr_place(t, &r->addrs[i], &zone, rel) == -1)
			continue;	/* no reverse zone for it: no PTR */
		node = modelrr_node(t, MODEL_NODE_PTR, zone, rel);
		if (node == NULL)
			return -1;
		rec_init(t, &rec, DNSREC_TYPE_PTR, node);
		(void)xstrlcpy(rec.u.name, vmfqdn, sizeof(rec.u.name));
		if (rr_add(t, node, &rec) == -1)
			return -1;
		node_time(node, r->time);
	}
	return 0;
}

int
modelrr_vm(struct modelrr *t, const struct model_reg *r)
{
	struct model_node *node;
	size_t i;

	node = modelrr_node(t, MODEL_NODE_VM, t->zone, r->vm);
	if (node == NULL)
		return -1;
	for (i = 0; i < r->naddrs; i++)
		if (modelrr_addr(t, node, &r->addrs[i]) == -1)
			return -1;
	node_time(node, r->time);
	return 0;
}

/* A node built whole holds the owner value of the host it is built for
 * (ownrec.h); a patched one holds it already. */
static int
node_owner(struct modelrr *t, struct modelrr_node *bn)
{
	uint8_t raw[OWNREC_RAW_BUF];
	struct dnsrec rec;

	if (bn->node.gone != NULL)
		return 0;
	rec_init(t, &rec, DNSREC_TYPE_TXT, &bn->node);
	if (ownrec_encode(&rec, t->cfg->host, bn->t, raw) == -1)
		return modelrr_fail(t, "cannot encode the owner value of",
		    bn->fqdn);
	return rr_add(t, &bn->node, &rec);
}

static int
rr_qcmp(const void *a, const void *b)
{
	const struct model_rr *x = a, *y = b;

	return dnsrec_cmp_bytes(x->val, x->len, y->val, y->len);
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

static int
node_qcmp(const void *a, const void *b)
{
	const struct model_node *x = a, *y = b;
	int c = strcmp(x->zone, y->zone);

	return c != 0 ? c : strcmp(x->name, y->name);
}

/* The nodes, each with its owner value, their records sorted and without
 * duplicates, into one array sorted by zone, then name; the table is
 * emptied and its tmp freed.  0, or -1 (err) if an owner value cannot be
 * encoded (the host name of the configuration is checked: never). */
int
modelrr_finish(struct modelrr *t, struct model_node **nodes, size_t *nnodes)
{
	struct modelrr_node *bn, *tmp;
	size_t n = 0;
	int rc = 0;

	*nodes = xcalloc(HASH_COUNT(t->nodes), sizeof(**nodes));
	HASH_ITER(hh, t->nodes, bn, tmp) {
		if (node_owner(t, bn) == -1)
			rc = -1;
		node_rrs_normalize(&bn->node);
		(*nodes)[n++] = bn->node;
	}
	HASH_CLEAR(hh, t->nodes);
	arena_free(&t->tmp);
	qsort(*nodes, n, sizeof(**nodes), node_qcmp);
	*nnodes = n;
	return rc;
}
