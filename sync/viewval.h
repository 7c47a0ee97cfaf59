/*
 * viewval.h - a view node's values, stored inline (view.h): each a 4-byte
 * length (host order) and its bytes, but an owner value (ownrec.h) kept
 * short: the length with its top bit set, then the index of its prefix
 * (header and first string, the Serial field zeroed), kept once in the
 * view for all nodes, its Serial field, and its last string ("t=...").
 * Every node of a host holds one owner value, alike but for the serial
 * and the time: 10,000 nodes keep ~0.4 MB less.
 */
#ifndef VMG_VIEWVAL_H
#define VMG_VIEWVAL_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"

#define VIEWVAL_MAX_PREFIXES 64

struct viewval {
	uint8_t *prefix[VIEWVAL_MAX_PREFIXES];	/* Serial zeroed */
	uint16_t plen[VIEWVAL_MAX_PREFIXES];
	size_t n;
};

/* The bytes vals take stored (their owner value's prefix kept in t). */
size_t viewval_bytes(struct viewval *t, const struct dir_value *vals,
    size_t n);
/* vals stored at p (viewval_bytes of room, called just before). */
void viewval_put(const struct viewval *t, uint8_t *p,
    const struct dir_value *vals, size_t n);
/* The stored size of the value at p (its length field included). */
size_t viewval_stored(const uint8_t *p);
/* The value at p in full into out (DNSREC_BUF of room): its length. */
size_t viewval_get(const struct viewval *t, const uint8_t *p, uint8_t *out);
/* The n values stored from p, in an array to free (the full bytes of a
 * short owner value in the same block, the others pointing at p). */
struct dir_value *viewval_values(const struct viewval *t, const uint8_t *p,
    uint32_t n);
void viewval_free(struct viewval *t);

#endif
