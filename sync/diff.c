/*
 * diff.c - records wanted against records held.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "dnsrec.h"
#include "name.h"
#include "xmem.h"

/* An open-addressing set of values (indexes into vals), by their hash
 * with the serial left out: membership in O(1), so a diff is linear in
 * the values, whatever the size of the node. */
struct diff_set {
	const struct diff_val *vals;
	size_t *slot;			/* index + 1; 0 free */
	size_t mask;
};

static uint64_t
diff_hash(const struct diff_val *v)
{
	return dnsrec_hash_but_serial(NAME_FNV_BASIS, v->val, v->len);
}

static void
diff_set_init(struct diff_set *s, const struct diff_val *vals, size_t n)
{
	size_t i, j, cap = 8;

	while (cap < 2 * n)
		cap *= 2;
	s->vals = vals;
	s->mask = cap - 1;
	s->slot = xcalloc(cap, sizeof(*s->slot));
	for (i = 0; i < n; i++) {
		for (j = diff_hash(&vals[i]) & s->mask; s->slot[j] != 0;
		    j = (j + 1) & s->mask)
			;
		s->slot[j] = i + 1;
	}
}

/* The index + 1 of v in s (as dnsrec_same_but_serial), 0 if absent. */
static size_t
diff_set_find(const struct diff_set *s, const struct diff_val *v)
{
	size_t j;

	for (j = diff_hash(v) & s->mask; s->slot[j] != 0;
	    j = (j + 1) & s->mask) {
		const struct diff_val *c = &s->vals[s->slot[j] - 1];

		if (dnsrec_same_but_serial(v->val, v->len, c->val, c->len))
			return s->slot[j];
	}
	return 0;
}

static int
diff_set_has(const struct diff_set *s, const struct diff_val *v)
{
	return diff_set_find(s, v) != 0;
}

void
diff_records(const struct diff_val *held, size_t nheld, int tombstoned,
    const struct diff_val *want, size_t nwant, struct diff *df)
{
	struct diff_set hs = { NULL, NULL, 0 }, ws = { NULL, NULL, 0 };
	size_t i;

	df->dels = xcalloc(nheld + 1, sizeof(*df->dels));
	df->adds = xcalloc(nwant + 1, sizeof(*df->adds));
	df->ndels = df->nadds = 0;
	df->tomb = tombstoned ? DIFF_TOMB_REVIVE : DIFF_TOMB_LEAVE;
	if (!tombstoned) {
		diff_set_init(&hs, held, nheld);
		diff_set_init(&ws, want, nwant);
	}
	for (i = 0; i < nheld; i++)
		if (tombstoned || !diff_set_has(&ws, &held[i]))
			df->dels[df->ndels++] = i;
	for (i = 0; i < nwant; i++)
		if (tombstoned || !diff_set_has(&hs, &want[i]))
			df->adds[df->nadds++] = i;
	free(hs.slot);
	free(ws.slot);
}

/* A patch looks up a few values among many held ones: without a set,
 * a scan with a cheap first test (length, last byte) beats hashing every
 * held value. */
#define DIFF_FEW 16

/* The index + 1 of v in vals[0..n) (as dnsrec_same_but_serial), 0 if
 * absent: through s when it was built, else by a scan. */
static size_t
diff_lookup(const struct diff_set *s, const struct diff_val *vals, size_t n,
    const struct diff_val *v)
{
	size_t i;

	if (s->slot != NULL)
		return diff_set_find(s, v);
	for (i = 0; i < n; i++)
		if (vals[i].len == v->len && (v->len == 0 ||
		    vals[i].val[v->len - 1] == v->val[v->len - 1]) &&
		    dnsrec_same_but_serial(v->val, v->len, vals[i].val,
		    vals[i].len))
			return i + 1;
	return 0;
}

void
diff_patch(const struct diff_val *held, size_t nheld,
    const struct diff_val *want, size_t nwant, const struct diff_val *gone,
    size_t ngone, struct diff *df)
{
	struct diff_set ws = { NULL, NULL, 0 }, gs = { NULL, NULL, 0 };
	uint8_t *held_too = xcalloc(nwant + 1, 1);
	size_t i, k, cap = ngone + 1;	/* a held value per gone, mostly */

	df->dels = xcalloc(cap, sizeof(*df->dels));
	df->adds = xcalloc(nwant + 1, sizeof(*df->adds));
	df->ndels = df->nadds = 0;
	df->tomb = DIFF_TOMB_LEAVE;
	if (nwant + ngone > DIFF_FEW) {
		diff_set_init(&ws, want, nwant);
		diff_set_init(&gs, gone, ngone);
	}
	for (i = 0; i < nheld; i++) {
		if ((k = diff_lookup(&ws, want, nwant, &held[i])) != 0)
			held_too[k - 1] = 1;
		else if (diff_lookup(&gs, gone, ngone, &held[i]) != 0) {
			if (df->ndels == cap) {
				cap *= 2;
				df->dels = xreallocarray(df->dels, cap,
				    sizeof(*df->dels));
			}
			df->dels[df->ndels++] = i;
		}
	}
	for (i = 0; i < nwant; i++)
		if (!held_too[i])
			df->adds[df->nadds++] = i;
	free(held_too);
	free(ws.slot);
	free(gs.slot);
}

int
diff_empty(const struct diff *df)
{
	return df->ndels == 0 && df->nadds == 0 && df->tomb == DIFF_TOMB_LEAVE;
}

void
diff_free(struct diff *df)
{
	free(df->dels);
	free(df->adds);
	memset(df, 0, sizeof(*df));
}

enum diff_fate
diff_unwanted(int exists, int tombstoned)
{
	if (!exists)
		return DIFF_FORGET;
	return tombstoned ? DIFF_KEEP : DIFF_ENTOMB;
}
