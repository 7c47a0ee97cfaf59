/*
 * diff.h - records wanted against records held (pure: no directory, no
 * allocation a caller cannot see).
 *
 * A node's values are compared as dnsrec_same_but_serial compares them: a
 * value is not rewritten because the zone's serial moved.  What turns the
 * held values into the wanted ones is a list of exact held values to delete
 * and of wanted values to add, for one constrained modify; a tombstoned
 * node that is wanted is revived (all held values out, all wanted in).
 */
#ifndef VMG_DIFF_H
#define VMG_DIFF_H

#include <stddef.h>
#include <stdint.h>

/* One encoded dnsRecord value (a view: no copy). */
struct diff_val {
	const uint8_t *val;
	size_t len;
};

enum diff_tomb {
	DIFF_TOMB_LEAVE = -1,		/* dNSTombstoned stays as it is */
	DIFF_TOMB_REVIVE = 0,		/* set it FALSE */
	DIFF_TOMB_BURY = 1		/* set it TRUE */
};

struct diff {
	size_t *dels;			/* indexes into held */
	size_t *adds;			/* indexes into want */
	size_t ndels, nadds;
	enum diff_tomb tomb;
};

/* Fill df with what turns held (tombstoned or not) into want.  Values of
 * one side are distinct.  Free df with diff_free. */
void diff_records(const struct diff_val *held, size_t nheld, int tombstoned,
    const struct diff_val *want, size_t nwant, struct diff *df);
/* A patch of a live node: what turns held into held with every value of
 * want and none of gone (the other held values stay).  want and gone
 * are distinct and disjoint.  Free df with diff_free. */
void diff_patch(const struct diff_val *held, size_t nheld,
    const struct diff_val *want, size_t nwant, const struct diff_val *gone,
    size_t ngone, struct diff *df);
/* True when nothing is to be written. */
int diff_empty(const struct diff *df);
void diff_free(struct diff *df);

/* What becomes of a node of ours that nobody wants any more. */
enum diff_fate {
	DIFF_FORGET,			/* gone (purged): forget it */
	DIFF_ENTOMB,			/* tombstone it */
	DIFF_KEEP			/* a tombstone already: leave it */
};
enum diff_fate diff_unwanted(int exists, int tombstoned);

#endif
