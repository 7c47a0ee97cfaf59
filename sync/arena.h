/*
 * arena.h - one bump allocator, freed at once: many small pieces with one
 * owner and one lifetime (the model's desired state of a pass, and what
 * the model builds it with).  Pieces are not freed one by one; the arena
 * takes 64 KiB blocks from malloc (a large piece gets a block of its own)
 * and arena_free returns them all.  Aborts on out-of-memory, like xmem.
 */
#ifndef VMG_ARENA_H
#define VMG_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;	/* the block being filled first */
	size_t used;			/* bytes used of head */
};

void arena_init(struct arena *a);
/* n bytes (n may be 0) aligned to align: a power of two, at most
 * alignof(max_align_t). */
void *arena_alloc(struct arena *a, size_t n, size_t align);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Every piece at once; the arena is empty (and usable) again. */
void arena_free(struct arena *a);

#endif
