/*
 * cache.c - digests of what earlier passes verified, by DN.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "xmem.h"

void
cache_clear(struct cache *c)
{
	struct cache_entry *e, *tmp;

	HASH_ITER(hh, c->map, e, tmp) {
		HASH_DEL(c->map, e);
		free(e->dn);
		free(e);
	}
}

int
cache_fresh(const struct cache *c, const char *dn, uint64_t digest)
{
	struct cache_entry *e;

	if (c == NULL)
		return 0;
	HASH_FIND_STR(c->map, dn, e);
	return e != NULL && e->digest == digest;
}

void
cache_put(struct cache *c, const char *dn, uint64_t digest)
{
	struct cache_entry *e;

	if (c == NULL)
		return;
	HASH_FIND_STR(c->map, dn, e);
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->dn = xstrdup(dn);
		HASH_ADD_KEYPTR(hh, c->map, e->dn, strlen(e->dn), e);
	}
	e->digest = digest;
}

void
cache_drop(struct cache *c, const char *dn)
{
	struct cache_entry *e;

	if (c == NULL)
		return;
	HASH_FIND_STR(c->map, dn, e);
	if (e != NULL) {
		HASH_DEL(c->map, e);
		free(e->dn);
		free(e);
	}
}
