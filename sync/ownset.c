/*
 * ownset.c - a set of DNs kept small (ownset.h).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ownset.h"
#include "xmem.h"

#define OWNSET_PARENTS 255	/* beyond: whole DNs */

/* FNV-1a over dn, its low 32 bits (sets stay far below 2^32 slots). */
static uint32_t
ownset_hash(const char *dn)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *dn != '\0'; dn++)
		h = (h ^ (unsigned char)*dn) * 0x100000001b3ULL;
	return (uint32_t)h;
}

const char *
ownset_parent(const struct ownset *s, const struct ownset_entry *e)
{
	return e->parent == 0 ? NULL : s->parents[e->parent - 1];
}

/* 1 if e is the entry of dn. */
static int
ownset_is(const struct ownset *s, const struct ownset_entry *e,
    const char *dn)
{
	const char *parent = ownset_parent(s, e);
	size_t len;

	if (parent == NULL)
		return strcmp(e->rdn, dn) == 0;
	len = strlen(e->rdn);
	return strncmp(e->rdn, dn, len) == 0 && dn[len] == ',' &&
	    strcmp(dn + len + 1, parent) == 0;
}

/* The slot of dn (its hash h), or the free slot where it would go
 * (cap > 0). */
static size_t
ownset_slot(const struct ownset *s, const char *dn, uint32_t h)
{
	size_t mask = s->cap - 1, i = (size_t)h & mask;

	while (s->map[i] != NULL && (s->map[i]->hash != h ||
	    !ownset_is(s, s->map[i], dn)))
		i = (i + 1) & mask;
	return i;
}

/* Room for one more at a load of 3/4 at most. */
static void
ownset_grow(struct ownset *s)
{
	struct ownset_entry **old = s->map;
	size_t i, j, mask, oldcap = s->cap;

	if ((s->n + 1) * 4 <= s->cap * 3)
		return;
	s->cap = oldcap != 0 ? oldcap * 2 : 64;
	s->map = xcalloc(s->cap, sizeof(*s->map));
	mask = s->cap - 1;
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL)
			continue;
		j = (size_t)old[i]->hash & mask;
		while (s->map[j] != NULL)
			j = (j + 1) & mask;
		s->map[j] = old[i];
	}
	free(old);
}

/* Empty slot i, moving back the entries after it that may not stay
 * behind a hole (linear probing, no tombstones). */
static void
ownset_remove_at(struct ownset *s, size_t i)
{
	size_t mask = s->cap - 1, j = i, home;

	free(s->map[i]);
	for (;;) {
		j = (j + 1) & mask;
		if (s->map[j] == NULL)
			break;
		home = (size_t)s->map[j]->hash & mask;
		if (j > i ? (home <= i || home > j) : (home <= i && home > j)) {
			s->map[i] = s->map[j];
			i = j;
		}
	}
	s->map[i] = NULL;
	s->n--;
}

/* 1 + the index of parent among the set's parents, added if new; 0 when
 * there are too many. */
static uint8_t
ownset_intern(struct ownset *s, const char *parent)
{
	size_t i;

	for (i = 0; i < s->nparents; i++)
		if (strcmp(s->parents[i], parent) == 0)
			return (uint8_t)(i + 1);
	if (s->nparents == OWNSET_PARENTS)
		return 0;
	s->parents = xreallocarray(s->parents, s->nparents + 1,
	    sizeof(*s->parents));
	s->parents[s->nparents] = xstrdup(parent);
	return (uint8_t)++s->nparents;
}

/* dn's entry: its first RDN (up to a comma not escaped) and a shared
 * parent.  Wherever it is split, the entry gives the same DN back. */
static struct ownset_entry *
ownset_entry_new(struct ownset *s, const char *dn, uint32_t h)
{
	const char *comma = strchr(dn, ',');
	struct ownset_entry *e;
	size_t len = strlen(dn);
	uint8_t parent = 0;

	while (comma != NULL && comma > dn && comma[-1] == '\\')
		comma = strchr(comma + 1, ',');
	if (comma != NULL && (parent = ownset_intern(s, comma + 1)) != 0)
		len = (size_t)(comma - dn);
	e = xmalloc(offsetof(struct ownset_entry, rdn) + len + 1);
	e->hash = h;
	e->parent = parent;
	memcpy(e->rdn, dn, len);
	e->rdn[len] = '\0';
	return e;
}

int
ownset_has(const struct ownset *s, const char *dn)
{
	return s->n != 0 &&
	    s->map[ownset_slot(s, dn, ownset_hash(dn))] != NULL;
}

int
ownset_add(struct ownset *s, const char *dn)
{
	uint32_t h = ownset_hash(dn);

	if (s->n != 0 && s->map[ownset_slot(s, dn, h)] != NULL)
		return 0;
	ownset_grow(s);
	s->map[ownset_slot(s, dn, h)] = ownset_entry_new(s, dn, h);
	s->n++;
	return 1;
}

int
ownset_del(struct ownset *s, const char *dn)
{
	size_t i;

	if (s->n == 0)
		return 0;
	i = ownset_slot(s, dn, ownset_hash(dn));
	if (s->map[i] == NULL)
		return 0;
	ownset_remove_at(s, i);
	return 1;
}

void
ownset_free(struct ownset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->map[i]);
	free(s->map);
	for (i = 0; i < s->nparents; i++)
		free(s->parents[i]);
	free(s->parents);
	memset(s, 0, sizeof(*s));
}
