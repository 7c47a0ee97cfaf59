/*
 * arena.c - one bump allocator, freed at once.
 */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"
#include "xmem.h"

#define ARENA_BLOCK 65536		/* bytes of a block */
/* A larger piece gets a block of its own. */
#define ARENA_OWN (ARENA_BLOCK / 4)

struct arena_block {
	struct arena_block *next;
	size_t size;			/* bytes of data */
	max_align_t data[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
}

static struct arena_block *
arena_block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		fatalx("arena: a piece of %zu bytes", size);
	b = xmalloc(sizeof(*b) + size);
	b->size = size;
	b->next = NULL;
	return b;
}

void *
arena_alloc(struct arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;
	size_t off = 0;

	if (align == 0 || align > alignof(max_align_t) ||
	    (align & (align - 1)) != 0)
		fatalx("arena: alignment %zu", align);
	if (n > ARENA_OWN) {
		/* behind head: the block being filled stays the same */
		b = arena_block_new(n);
		if (a->head == NULL) {
			a->head = b;
			a->used = n;
		} else {
			b->next = a->head->next;
			a->head->next = b;
		}
		return b->data;
	}
	if (b != NULL)
		off = (a->used + align - 1) & ~(align - 1);
	if (b == NULL || off > b->size || n > b->size - off) {
		b = arena_block_new(ARENA_BLOCK);
		b->next = a->head;
		a->head = b;
		off = 0;
	}
	a->used = off + n;
	return (unsigned char *)b->data + off;
}

void *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n, 1);

	if (n > 0)
		memcpy(q, p, n);
	return q;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_memdup(a, s, strlen(s) + 1);
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}
