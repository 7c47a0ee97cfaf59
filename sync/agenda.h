/*
 * agenda.h - every deadline of vmgroupd, in one place.
 *
 * The daemon sleeps until the earliest deadline, runs a pass when one is
 * due, and tells the agenda how the pass ended; nothing else decides
 * when it wakes.  The deadlines:
 *
 *   retry   a failed pass (directory, KDC, state folder) is tried again
 *           after a delay that doubles from 1 s up to a cap, counted from
 *           the END of the failed attempt, jittered between half and all
 *           of the delay (milliseconds) so hosts that lost the directory
 *           together do not come back in step;
 *   rescan  the spool is listed again (files inotify did not report);
 *   full    the next full reconcile;
 *   lease   the earliest lease end;
 *   renew   the Kerberos credentials to renew;
 *   recheck something wanted is held by another (a withheld name, a node
 *           not ours): look again after the rescan interval, so the state
 *           converges soon after the other party lets go.
 *
 * While a retry is pending, every other deadline waits for it: a full
 * reconcile, a lease end or a renewal that falls due while the directory
 * is away cannot wake the daemon before the retry.  And a deadline that a
 * pass did not move (a bug, or a clock step) wakes the daemon at most once
 * a second (AGENDA_MIN_GAP_MS after the end of the last pass): the loop
 * cannot spin.
 *
 * Times are milliseconds of CLOCK_MONOTONIC (agenda_now()), so a step of the
 * wall clock neither fires nor stalls a retry; wall-clock deadlines (lease
 * and ticket ends) are converted when set, and set again after every pass.
 */
#ifndef VMG_AGENDA_H
#define VMG_AGENDA_H

#include <stdint.h>
#include <time.h>

#define AGENDA_MIN_GAP_MS 1000	/* timer-driven passes: at most one a second */

enum agenda_what {
	AGENDA_RETRY,		/* a failed pass, again */
	AGENDA_RESCAN,		/* list the spool */
	AGENDA_FULL,		/* a full reconcile */
	AGENDA_LEASE,		/* the earliest lease end */
	AGENDA_RENEW,		/* renew the Kerberos credentials */
	AGENDA_RECHECK,		/* look at names held by others again */
	AGENDA_NWHAT
};

struct agenda {
	int64_t at[AGENDA_NWHAT];	/* ms, CLOCK_MONOTONIC; 0: not set */
	int64_t last;			/* end of the last pass; 0: none yet */
	unsigned step;			/* backoff step, s; 0: none */
	unsigned failures;		/* failed passes in a row */
	int64_t failing_since;		/* end of the first of them */
};

/* Milliseconds of CLOCK_MONOTONIC (never 0), and of the wall clock. */
int64_t agenda_now(void);
int64_t agenda_wall_ms(void);
void agenda_init(struct agenda *s);
/* Set deadline w to at (ms, CLOCK_MONOTONIC); 0 clears it. */
void agenda_set(struct agenda *s, enum agenda_what w, int64_t at);
/* Set deadline w to the wall-clock second at (0 clears it), given the
 * monotonic and wall-clock times of one moment. */
void agenda_set_wall(struct agenda *s, enum agenda_what w, time_t at,
    int64_t now, int64_t wall_ms);
/* A pass that ended at now failed: the retry deadline after the next
 * backoff step (1, 2, 4 ... cap s), jittered; returns the delay, ms. */
int64_t agenda_fail(struct agenda *s, int64_t now, unsigned cap);
/* A pass that ended at now succeeded: no retry, the backoff starts over.
 * Returns how many passes had failed in a row before it. */
unsigned agenda_ok(struct agenda *s, int64_t now);
/* A retry is pending and not yet due: nothing but it may run. */
int agenda_waiting(const struct agenda *s, int64_t now);
/* Deadline w has passed (as set; no waiting for a retry or gap). */
int agenda_passed(const struct agenda *s, enum agenda_what w, int64_t now);
/* When w is due: its deadline held back by a pending retry and by the
 * minimum gap after the last pass; 0 if w is not set. */
int64_t agenda_when(const struct agenda *s, enum agenda_what w);
int agenda_due(const struct agenda *s, enum agenda_what w, int64_t now);
/* The earliest of agenda_when() over every deadline (0 if none), and
 * which one (if what is not NULL). */
int64_t agenda_next(const struct agenda *s, enum agenda_what *what);
/* A poll(2) timeout until agenda_next(): ms, 0 if due, -1 if none. */
int agenda_timeout(const struct agenda *s, int64_t now);
const char *agenda_name(enum agenda_what w);

#endif
