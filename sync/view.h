/*
 * view.h - what the directory holds, as far as vmgroupd knows, by DN.
 *
 * Filled at a full reconcile by a paged scan of each zone (every node
 * vmgroupd owns: its records and whether it is tombstoned; an owned node
 * the scan did not find is known not to exist), and kept true between
 * full reconciles by each write that succeeds and each node read.  A
 * pass writes from it without reading first (a constrained update deletes
 * exactly the values the view holds, so a node changed meanwhile makes the
 * write fail, DIR_CHANGED, instead of losing the change); it reads a node
 * only when the view does not know it or the server says the view was
 * wrong.  Cleared after any failed pass.
 */
#ifndef VMG_VIEW_H
#define VMG_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"
#include "own.h"

/* One node, in one allocation with its DN and values: the first RDN (the
 * rest shared: the zone's DN, kept once in the view), a NUL, then each
 * value as a 4-byte length (host order) and its bytes (view_values). */
struct view_node {
	uint64_t key;			/* cache_key(dn) */
	uint64_t digest;		/* view_digest of the values */
	uint32_t nvalues;
	uint8_t parent;			/* 1 + its index in the view's
					 * parents; 0: rdn is all the DN */
	uint8_t exists;
	uint8_t tombstoned;
	char rdn[];
};

struct view {
	struct view_node **map;		/* open addressing, linear probing */
	size_t cap, n;			/* cap: a power of two, or 0 */
	char **parents;			/* the parents' DNs (the zones) */
	size_t nparents;
	/* replication-conflict copies of this host's nodes the scans found
	 * (their RDN "<name>\nCNF:<GUID>", the owner value naming the
	 * host): to delete once a read shows the service account owns them
	 * (zonescan.c) */
	char **cnf;
	size_t ncnf;
	/* nodes not in the ownership record whose owner value names the
	 * host: its own if their directory owner (a zone scan does not read
	 * it) is the service account: to read and take (zonescan.c) */
	char **verify;
	size_t nverify;
};

/* An order-independent digest of a set of record values, their Serial
 * fields left out: the sum of view_digest_add's keyed hashes, one a value.
 * Two sets of as many values with equal digests are the same but serial
 * (dnsrec_same_but_serial), but for a chance of 2^-64 a VM cannot raise
 * (the key is the process's secret SipHash key); different digests say
 * nothing (a set holding a value twice). */
uint64_t view_digest_add(uint64_t digest, const uint8_t *val, size_t len);
uint64_t view_digest(const struct dir_value *vals, size_t n);
/* digest without the share view_digest_add gave the value (view_patch
 * follows a node's digest so). */
uint64_t view_digest_sub(uint64_t digest, const uint8_t *val, size_t len);

/* The node's values (vn->nvalues of them, pointing into the node: valid
 * while it is), in an array to free. */
struct dir_value *view_values(const struct view_node *vn);
/* NULL when the view does not know dn.  The node stays valid until dn
 * is put or dropped again. */
const struct view_node *view_get(const struct view *v, const char *dn);
/* What dn holds now (exists 0: nothing; values ignored then). */
void view_put(struct view *v, const char *dn, int exists, int tombstoned,
    const struct dir_value *vals, size_t n);
void view_put_node(struct view *v, const char *dn, const struct dir_node *n);
/* dn's live node patched in place as a write patched it: the values at
 * dels (indexes in view_values' order, increasing) gone, adds put after
 * the rest, the digest following (no pass over every value, no copy of
 * the node: a group of 2,500 VMs cost two copies and a rehash of its
 * values per event).  0; -1 when dn is no live node of the view or dels
 * do not fit it (nothing changed). */
int view_patch(struct view *v, const char *dn, const size_t *dels,
    size_t ndels, const struct dir_value *adds, size_t nadds);
void view_drop(struct view *v, const char *dn);
void view_clear(struct view *v);
/* Free a list of DNs (v->cnf, v->verify) and empty it. */
void view_dns_free(char ***dns, size_t *n);
size_t view_count(const struct view *v);

/* Read every node of ours in the zone (its DN zone_dn) with one paged
 * scan into v, after clearing what v knew of that zone's owned nodes;
 * owned nodes the scan does not find are known not to exist.  With host
 * (not NULL), own follows what the directory says of each node
 * (ownproof_scan: a node proved host's is taken in, one another host
 * holds now is dropped).  Every node the scan reads is then handed to
 * also (NULL: none). */
int view_load_zone(struct view *v, struct dir *d, struct own *own,
    const char *host, const char *zone_dn, dir_node_fn also, void *also_ctx,
    char *err, size_t errlen);
/* The same read taken as it comes (dir_scan_step): view_load_step with
 * wait 0 never blocks (1: more to come), 0 once the zone is read whole
 * (and the owned nodes it did not hold marked), -1 failed.  l must not
 * move between start and end; a load ended before 0 leaves the zone's
 * nodes unknown. */
struct view_load {
	struct view *v;
	struct own *own;
	const char *host;
	char *zone_dn;
	dir_node_fn also;
	void *also_ctx;
	struct dir_scan scan;
};
void view_load_start(struct view_load *l, struct view *v, struct dir *d,
    struct own *own, const char *host, const char *zone_dn, dir_node_fn also,
    void *also_ctx);
int view_load_step(struct view_load *l, int wait, char *err, size_t errlen);
void view_load_end(struct view_load *l);

#endif
