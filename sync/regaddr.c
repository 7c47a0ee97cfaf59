/*
 * regaddr.c - how many registrations hold each address (regaddr.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "name.h"
#include "regaddr.h"
#include "xmem.h"

#define RA_COUNT(s) ((uint32_t)((s) & 0xffffffffu))
#define RA_HASH(s) ((uint32_t)((s) >> 32))

static uint32_t
ra_hash(const struct event_addr *a)
{
	uint64_t h = name_mix64(NAME_FNV_BASIS, &a->u, a->family == AF_INET ?
	    4 : 16);
	uint32_t x;

	/* name_mix64's last step leaves the high octets of a word out of
	 * the low bits (addresses in a row differ there): mixed again
	 * (MurmurHash3's fmix64), or they all start from a few slots */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	x = (uint32_t)(h >> 32) ^ (uint32_t)a->family;

	return x != 0 ? x : 1;		/* 0 marks a slot never used */
}

/* The slot of hash h: where it is, or the free slot it would go to. */
static size_t
ra_slot(const struct regaddr *t, uint32_t h)
{
	size_t i;

	for (i = h & (t->cap - 1); t->slot[i] != 0 && RA_HASH(t->slot[i]) != h;
	    i = (i + 1) & (t->cap - 1))
		;
	return i;
}

/* Room for one more hash: the table made again, without the hashes
 * nobody holds any more, twice as large as what is held needs. */
static void
ra_grow(struct regaddr *t)
{
	uint64_t *old = t->slot;
	size_t i, oldcap = t->cap, held = 0, cap = 16;

	if (t->cap != 0 && (t->used + 1) * 4 <= t->cap * 3)
		return;
	for (i = 0; i < oldcap; i++)
		held += RA_COUNT(old[i]) > 0;
	while (cap < 4 * (held + 1))
		cap *= 2;
	t->slot = xcalloc(cap, sizeof(*t->slot));
	t->cap = cap;
	t->used = 0;
	for (i = 0; i < oldcap; i++) {
		if (RA_COUNT(old[i]) == 0)
			continue;
		t->slot[ra_slot(t, RA_HASH(old[i]))] = old[i];
		t->used++;
	}
	free(old);
}

void
regaddr_add(struct regaddr *t, const struct event_addr *a)
{
	uint32_t h = ra_hash(a);
	size_t i;

	ra_grow(t);
	i = ra_slot(t, h);
	if (t->slot[i] == 0) {
		t->slot[i] = (uint64_t)h << 32;
		t->used++;
	}
	if (RA_COUNT(t->slot[i]) < UINT32_MAX)
		t->slot[i]++;
}

void
regaddr_del(struct regaddr *t, const struct event_addr *a)
{
	size_t i;

	if (t->cap == 0)
		return;
	i = ra_slot(t, ra_hash(a));
	if (RA_COUNT(t->slot[i]) > 0 && RA_COUNT(t->slot[i]) < UINT32_MAX)
		t->slot[i]--;
}

uint32_t
regaddr_count(const struct regaddr *t, const struct event_addr *a)
{
	if (t->cap == 0)
		return 0;
	return RA_COUNT(t->slot[ra_slot(t, ra_hash(a))]);
}

void
regaddr_free(struct regaddr *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}
