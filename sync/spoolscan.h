/*
 * spoolscan.h - the daemon's listings of its spool, and what it says about
 * them.  A spool that cannot be listed (removed, its rights changed) is
 * logged once, again only when the reason changes, and once more when it
 * can be listed again; meanwhile it is listed again after a backoff (1, 2,
 * 4 ... seconds, at most the rescan interval).  Either way the next rescan
 * goes into the agenda.
 */
#ifndef VMG_SPOOLSCAN_H
#define VMG_SPOOLSCAN_H

#include <stddef.h>

#include "agenda.h"

struct spoolscan {
	int err;		/* why the last listing failed (errno); 0: fine */
	unsigned fails;		/* listings failed in a row */
	size_t odd;		/* names the last listing left out (not
				 * plain: spool_list_odd's) */
};

/* spool_list(dir, names, n, &ss->odd), said as above: 0, or -1 with
 * ss->err set.  Sets a's rescan deadline: rescan seconds after a listing that worked,
 * the backoff after one that failed. */
int spoolscan_list(struct spoolscan *ss, const char *dir, unsigned rescan,
    struct agenda *a, char ***names, size_t *n);

#endif
