/*
 * zonescan.h - a full reconcile's reads of the zones: one paged scan of
 * each, every node of ours into the view, the zone's SOA serial, and in
 * the forward zone the answers to the claims' look-ups (claim.h).
 *
 * At start-up the reverse zones (the big ones: a PTR node a VM address)
 * are read while the registrations load (zonescan_warm_*): between two
 * slices of the load the scan takes what the server has sent and asks
 * for the next page, so the server prepares its pages while the loading
 * goes on instead of after it.  The first pass, a full reconcile, finds
 * them read; any failure there leaves the zone to that pass.
 */
#ifndef VMG_ZONESCAN_H
#define VMG_ZONESCAN_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "view.h"

struct daemon;

/* What a zone's scan takes besides the view: the serial, and in the
 * forward zone the answers to the claims' look-ups. */
struct zonescan_ctx {
	struct claims *claims;		/* NULL: a reverse zone */
	uint32_t *serial;
	int got;			/* the SOA was read */
};

struct zonescan_warm {
	struct view_load load;		/* the reverse zone being read */
	struct zonescan_ctx z;
	uint32_t serial;
	size_t at;			/* its index among the reverse zones */
	int loading;
	unsigned char read[MODEL_MAX_REVZONES];	/* read whole, SOA found */
	uint32_t serials[MODEL_MAX_REVZONES];
};

/* The zones' serials into cfg: a full pass (full) reads each zone (but
 * those read at start-up), another takes the last full pass's. */
int zonescan_read(struct daemon *dm, struct model_config *cfg, int full,
    char *err, size_t errlen);
/* Connect and ask for the first reverse zone's first page; nothing is
 * said of a failure (the first pass connects and says it). */
void zonescan_warm_start(struct daemon *dm);
/* A stateload_tick: take what has come, never waiting (ctx: the daemon). */
void zonescan_warm_tick(void *ctx);
/* Read what is left of the reverse zones (the loading is done). */
void zonescan_warm_finish(struct daemon *dm);
/* The zones read at start-up forgotten (the view was cleared). */
void zonescan_warm_forget(struct daemon *dm);

#endif
