/*
 * cache.c - digests of what earlier passes verified, by a keyed hash of
 * the DN (cache.h): an open-addressing table of 16-byte slots.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "xmem.h"

#define CACHE_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define CACHE_SIPROUND do {						\
	v0 += v1; v1 = CACHE_ROTL(v1, 13); v1 ^= v0;			\
	v0 = CACHE_ROTL(v0, 32);					\
	v2 += v3; v3 = CACHE_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = CACHE_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = CACHE_ROTL(v1, 17); v1 ^= v2;			\
	v2 = CACHE_ROTL(v2, 32);					\
} while (0)

/* The process's SipHash key, drawn at the first use. */
static const uint64_t *
cache_sipkey(void)
{
	static uint64_t k[2];
	static int drawn;
	struct timespec ts;

	if (drawn)
		return k;
	if (getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k)) {
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL;
		k[1] = (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 32);
	}
	drawn = 1;
	return k;
}

/* SipHash-2-4 with the process's key: a state, 8-octet words absorbed,
 * the last word (holding the length in its top octet) ending it. */
struct cache_sip {
	uint64_t v0, v1, v2, v3;
};

static void
cache_sip_init(struct cache_sip *s)
{
	const uint64_t *k = cache_sipkey();

	s->v0 = 0x736f6d6570736575ULL ^ k[0];
	s->v1 = 0x646f72616e646f6dULL ^ k[1];
	s->v2 = 0x6c7967656e657261ULL ^ k[0];
	s->v3 = 0x7465646279746573ULL ^ k[1];
}

static void
cache_sip_word(struct cache_sip *s, uint64_t m)
{
	uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;

	v3 ^= m;
	CACHE_SIPROUND;
	CACHE_SIPROUND;
	v0 ^= m;
	*s = (struct cache_sip){ v0, v1, v2, v3 };
}

static uint64_t
cache_sip_end(struct cache_sip *s, uint64_t last)
{
	uint64_t v0, v1, v2, v3;

	cache_sip_word(s, last);
	v0 = s->v0;
	v1 = s->v1;
	v2 = s->v2 ^ 0xff;
	v3 = s->v3;
	CACHE_SIPROUND;
	CACHE_SIPROUND;
	CACHE_SIPROUND;
	CACHE_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-2-4 of the 8 octets of word (little-endian), then a, then b:
 * the same key as cache_key. */
uint64_t
cache_hash_parts(uint64_t word, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	struct cache_sip s;
	size_t n = alen + blen, i, r = 0;
	uint64_t m = 0;

	cache_sip_init(&s);
	cache_sip_word(&s, word);
	for (i = 0; i < n; i++) {
		m |= (uint64_t)(i < alen ? a[i] : b[i - alen]) << (8 * r);
		if (++r == 8) {
			cache_sip_word(&s, m);
			m = 0;
			r = 0;
		}
	}
	return cache_sip_end(&s, m | (uint64_t)((n + 8) & 0xff) << 56);
}

/* SipHash-2-4 of the DN's bytes. */
uint64_t
cache_key(const char *dn)
{
	struct cache_sip s;
	size_t len = strlen(dn), i, r;
	uint64_t m;

	cache_sip_init(&s);
	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, r = 0; r < 8; r++)
			m |= (uint64_t)(unsigned char)dn[i + r] << (8 * r);
		cache_sip_word(&s, m);
	}
	for (m = (uint64_t)len << 56, r = 0; i + r < len; r++)
		m |= (uint64_t)(unsigned char)dn[i + r] << (8 * r);
	m = cache_sip_end(&s, m);
	return m != 0 ? m : 1;
}

void
cache_clear(struct cache *c)
{
	free(c->map);
	memset(c, 0, sizeof(*c));
}

/* The slot of key, or the free slot where it would go. */
static size_t
cache_slot(const struct cache *c, uint64_t key)
{
	size_t mask = c->cap - 1, i = (size_t)key & mask;

	while (c->map[i].key != 0 && c->map[i].key != key)
		i = (i + 1) & mask;
	return i;
}

int
cache_fresh(const struct cache *c, const char *dn, uint64_t digest)
{
	size_t i;

	if (c == NULL || c->n == 0)
		return 0;
	i = cache_slot(c, cache_key(dn));
	return c->map[i].key != 0 && c->map[i].digest == digest;
}

/* Room for one more at a load of 3/4 at most. */
static void
cache_grow(struct cache *c)
{
	struct cache old = *c;
	size_t i;

	if ((c->n + 1) * 4 <= c->cap * 3)
		return;
	c->cap = old.cap != 0 ? old.cap * 2 : 64;
	c->map = xcalloc(c->cap, sizeof(*c->map));
	for (i = 0; i < old.cap; i++)
		if (old.map[i].key != 0)
			c->map[cache_slot(c, old.map[i].key)] = old.map[i];
	free(old.map);
}

void
cache_put(struct cache *c, const char *dn, uint64_t digest)
{
	uint64_t key;
	size_t i;

	if (c == NULL)
		return;
	key = cache_key(dn);
	cache_grow(c);
	i = cache_slot(c, key);
	if (c->map[i].key == 0)
		c->n++;
	c->map[i].key = key;
	c->map[i].digest = digest;
}

/* Empty slot i, moving back the entries after it that may not stay
 * behind a hole (linear probing, no tombstones). */
static void
cache_remove_at(struct cache *c, size_t i)
{
	size_t mask = c->cap - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (c->map[j].key == 0)
			break;
		home = (size_t)c->map[j].key & mask;
		if (j > i ? (home <= i || home > j) : (home <= i && home > j)) {
			c->map[i] = c->map[j];
			i = j;
		}
	}
	memset(&c->map[i], 0, sizeof(c->map[i]));
	c->n--;
}

void
cache_drop(struct cache *c, const char *dn)
{
	size_t i;

	if (c == NULL || c->n == 0)
		return;
	i = cache_slot(c, cache_key(dn));
	if (c->map[i].key != 0)
		cache_remove_at(c, i);
}
