/*
 * cache.h - what earlier passes found in the directory, by DN: a digest of
 * the values that were verified or written there.  Between full reconciles
 * a node or object whose wanted values have the same digest is not read
 * again, so a pass after a burst reads only what the burst changed.
 *
 * An entry is 16 bytes: a keyed 64-bit hash of the DN (cache_key: SipHash
 * with a key drawn at start, so a VM cannot pick a name to collide) and the
 * digest; the DN itself is not kept.  A collision could only make a pass
 * skip a node (a stale answer "fresh"), never write one: what is written,
 * and whether it is ours, is decided from the DN (own.h, view.h), and a
 * full reconcile consults no cache.
 */
#ifndef VMG_CACHE_H
#define VMG_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct cache_slot {
	uint64_t key;			/* cache_key(dn); 0: a free slot */
	uint64_t digest;
};

struct cache {
	struct cache_slot *map;		/* open addressing, linear probing */
	size_t cap, n;			/* cap: a power of two, or 0 */
};

/* Digests that stand for no values (not FNV results of any value set in
 * practice): a node of ours tombstoned, a blocked group object kept. */
#define CACHE_DIGEST_TOMBSTONE 1
#define CACHE_DIGEST_KEPT 2

/* The keyed 64-bit hash of a DN (never 0), the same for the life of the
 * process. */
uint64_t cache_key(const char *dn);
/* The same keyed hash (SipHash-2-4, the process's key) of a 64-bit word
 * followed by the bytes of a and then of b: values a VM has a say in
 * cannot be picked to collide. */
uint64_t cache_hash_parts(uint64_t word, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen);
void cache_clear(struct cache *c);
/* True if an earlier pass left dn with values of this digest.  A NULL
 * cache knows nothing. */
int cache_fresh(const struct cache *c, const char *dn, uint64_t digest);
/* Remember dn's digest (a NULL cache: nothing). */
void cache_put(struct cache *c, const char *dn, uint64_t digest);
/* Forget dn. */
void cache_drop(struct cache *c, const char *dn);

#endif
