/*
 * regaddr.h - how many registrations hold each address, so a pass that
 * looks at a few addresses knows without a walk of every registration
 * whether anyone else holds one of them (scope.h).
 *
 * A table of 32-bit address hashes and counts: two addresses of one hash
 * count together, so the answer may be "someone else" when nobody else
 * holds it (the caller then walks), never "nobody" when someone does.
 * Pure, no I/O; about 8 bytes a slot, at most twice the addresses held.
 */
#ifndef VMG_REGADDR_H
#define VMG_REGADDR_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct regaddr {
	uint64_t *slot;		/* hash << 32 | count; 0: never used */
	size_t cap;		/* a power of two, or 0 */
	size_t used;		/* slots with a hash, counts of 0 too */
};

void regaddr_add(struct regaddr *t, const struct event_addr *a);
void regaddr_del(struct regaddr *t, const struct event_addr *a);
/* The registrations holding a (or an address of the same hash). */
uint32_t regaddr_count(const struct regaddr *t, const struct event_addr *a);
void regaddr_free(struct regaddr *t);

#endif
