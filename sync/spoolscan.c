/*
 * spoolscan.c - spool listings for the daemon: a persistent failure said
 * once, retried with a backoff.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "spool.h"
#include "spoolscan.h"

int
spoolscan_list(struct spoolscan *ss, const char *dir, unsigned rescan,
    struct agenda *a, char ***names, size_t *n)
{
	int64_t now, delay, cap = (int64_t)rescan * 1000;
	int e;

	e = spool_list(dir, names, n, &ss->odd) == 0 ? 0 : errno != 0 ? errno :
	    EIO;
	now = agenda_now();
	if (e == 0) {
		if (ss->err != 0)
			log_info("spool %s can be listed again (after %u "
			    "failed listing%s)", dir, ss->fails,
			    ss->fails == 1 ? "" : "s");
		ss->err = 0;
		ss->fails = 0;
		agenda_set(a, AGENDA_RESCAN, now + cap);
		return 0;
	}
	if (e != ss->err)
		log_warnx("cannot list spool %s/new: %s; retrying with a "
		    "backoff of up to %u s, and saying so again only if that "
		    "changes", dir, strerror(e), rescan);
	ss->err = e;
	delay = (int64_t)1000 << (ss->fails < 12 ? ss->fails : 12);
	ss->fails++;
	agenda_set(a, AGENDA_RESCAN, now + (delay < cap ? delay : cap));
	return -1;
}
