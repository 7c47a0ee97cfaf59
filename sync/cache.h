/*
 * cache.h - what earlier passes found in the directory, by DN: a digest of
 * the values that were verified or written there.  Between full reconciles
 * a node or object whose wanted values have the same digest is not read
 * again, so a pass after a burst reads only what the burst changed.
 */
#ifndef VMG_CACHE_H
#define VMG_CACHE_H

#include <stdint.h>

#include <uthash.h>

struct cache_entry {
	char *dn;
	uint64_t digest;
	UT_hash_handle hh;
};

struct cache {
	struct cache_entry *map;
};

/* Digests that stand for no values (not FNV results of any value set in
 * practice): a node of ours tombstoned, a blocked group object kept. */
#define CACHE_DIGEST_TOMBSTONE 1
#define CACHE_DIGEST_KEPT 2

void cache_clear(struct cache *c);
/* True if an earlier pass left dn with values of this digest.  A NULL
 * cache knows nothing. */
int cache_fresh(const struct cache *c, const char *dn, uint64_t digest);
/* Remember dn's digest (a NULL cache: nothing). */
void cache_put(struct cache *c, const char *dn, uint64_t digest);
/* Forget dn. */
void cache_drop(struct cache *c, const char *dn);

#endif
