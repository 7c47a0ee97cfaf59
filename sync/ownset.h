/*
 * ownset.h - a set of DNs kept small (the ownership record's, own.h):
 * each DN in one allocation, its first RDN, the rest shared (one copy of
 * each parent: the zones' DNs, the groups' OU), as in view.h; open
 * addressing by a hash of the DN, its low half kept in the entry (four
 * bytes a PTR node's RDN left spare in its malloc chunk).
 */
#ifndef VMG_OWNSET_H
#define VMG_OWNSET_H

#include <stddef.h>
#include <stdint.h>

struct ownset_entry {
	uint32_t hash;			/* the low half of the DN's hash:
					 * its slot, and probes skip other
					 * entries without reading them */
	uint8_t parent;			/* 1 + its index in parents; 0: rdn
					 * holds all the DN */
	char rdn[];
};

struct ownset {
	struct ownset_entry **map;	/* linear probing */
	size_t cap, n;			/* cap: a power of two, or 0 */
	char **parents;			/* the DNs' shared parts */
	size_t nparents;
};

int ownset_has(const struct ownset *s, const char *dn);
/* 1 if dn was added, 0 if it was there. */
int ownset_add(struct ownset *s, const char *dn);
/* 1 if dn was removed, 0 if it was not there. */
int ownset_del(struct ownset *s, const char *dn);
/* What follows e's RDN and a comma in its DN; NULL: the RDN is all. */
const char *ownset_parent(const struct ownset *s,
    const struct ownset_entry *e);
void ownset_free(struct ownset *s);

#endif
