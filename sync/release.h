/*
 * release.h - release records: what keeps a late, older event out.
 *
 * Pure: no I/O, no clock.  A release of VM v from host h at time t leaves a
 * record (v, h, t).  While it is kept, a register or refresh of v from h
 * stamped before t is stale, even once the registration it released is gone
 * (and, saved with the registrations, after a restart).  Events from another
 * host are not held back: in time order they would have moved the VM there
 * before the release from h, which then would not have touched it.
 *
 * Bound: a record is kept until t + max(hold, longest lease seen), where
 * hold is the configured max_lease and the longest lease is the longest
 * (expires - time) of the register and refresh events applied since start
 * (and of the registrations loaded).  A late event whose lease is no longer
 * than that has ended by the time its record goes.  At most RELEASE_MAX
 * records are kept; past that, the one that would go first goes now (and is
 * counted in evicted).
 */
#ifndef VMG_RELEASE_H
#define VMG_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "event.h"
#include "name.h"

#define RELEASE_MAX 10000
#define RELEASE_DEFAULT_HOLD 86400	/* one day */

struct release {
	char key[2 * NAME_LABEL_BUF];	/* "<vm>/<host>", hash key */
	char vm[NAME_LABEL_BUF];
	char host[NAME_LABEL_BUF];
	int64_t time;			/* of the newest release seen */
	int64_t until;			/* kept while now < until */
	enum event_source source;
	UT_hash_handle hh;
};

struct release_set {
	struct release *by_key;
	int64_t hold;			/* keep a record at least this long */
	int64_t lease_seen;		/* longest lease applied */
	size_t evicted;			/* records dropped at the cap */
};

void release_init(struct release_set *s, int64_t hold);
void release_free(struct release_set *s);
size_t release_count(const struct release_set *s);
/* Remember the release ev; the record ends no earlier than floor (a saved
 * record comes back with its end; 0 for none). */
void release_note(struct release_set *s, const struct event *ev,
    int64_t floor);
/* Remember the lease of a register or refresh event. */
void release_lease(struct release_set *s, const struct event *ev);
/* 1 if ev, a register or refresh, is older than a kept release of its VM
 * from its host. */
int release_blocks(const struct release_set *s, const struct event *ev);
/* Drop records whose end is at or before now; returns how many. */
size_t release_expire(struct release_set *s, int64_t now);
/* The record as a canonical release event ("expires" = its end). */
void release_event(const struct release *r, struct event *ev);

#endif
