/*
 * writes.h - the node writes of one pass, planned from the view and
 * pipelined on the one connection.
 *
 * A node the view (view.h) knows is written without being read first: a
 * node of ours with exactly the values it holds deleted and the wanted ones
 * added (one constrained modify), a node that does not exist with an add
 * (claimed first in the ownership record, which is saved once for the
 * whole batch, before any add is sent; sync.c hands over at most 1,024
 * wanted nodes per batch).  The writes go out with several in
 * flight.  Only when the server says the view was wrong (the node exists
 * already, or changed under us) is the node read and written the careful
 * way (node.h), as is a node the view does not know.
 */
#ifndef VMG_WRITES_H
#define VMG_WRITES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cache.h"
#include "dir.h"
#include "model.h"
#include "own.h"
#include "sync.h"
#include "view.h"

#define WRITES_WINDOW 32		/* writes in flight at once */

struct writes_job;

struct writes {
	struct writes_job *jobs;
	size_t n;
	char **reads;		/* DNs the view does not know: node.h's way */
	const struct model_node **read_nodes;	/* NULL: an unwanted node */
	size_t nreads;
	char **gone;		/* unwanted nodes found purged: to forget */
	size_t ngone;
};

/* Plan what makes dn hold node (digest: node_digest).  Unchanged and
 * foreign nodes are settled here (counted in st): 1 when dn is known to
 * hold node already (the caller may cache that), else 0. */
int writes_want(struct writes *w, struct own *own, const struct view *v,
    const char *dn, const struct model_node *node, uint64_t digest,
    struct sync_stats *st);
/* Plan the patch of dn, a patched node (model_node.gone: the values of
 * node added, those of gone deleted, the rest left): 0 planned, 1 nothing
 * to write, -1 the view does not hold it as a live node of ours (only a
 * whole build may write it). */
int writes_patch(struct writes *w, const struct own *own, const struct view *v,
    const char *dn, const struct model_node *node, struct sync_stats *st);
/* Plan a modify of another entry (a patched vmGroup object) among the
 * node writes: done(ctx, 1) when it succeeded, done(ctx, 0) when it was
 * not written (a result other than success ends the pass with -1). */
void writes_mods(struct writes *w, const char *dn, const struct dir_mod *mods,
    size_t n, void (*done)(void *ctx, int ok), void *ctx);
/* Plan the tombstone of dn, a node of ours nobody wants: 1 when the view
 * knows dn is gone (the caller forgets it), else 0. */
int writes_unwanted(struct writes *w, const struct view *v, const char *dn,
    time_t now);
/* Write what was planned; then read and write the rest one by one.  0, or
 * -1 with err (what was not written stays for the next pass). */
int writes_run(struct writes *w, struct dir *d, struct own *own, struct view *v,
    const struct sync_params *p, struct sync_stats *st, char *err,
    size_t errlen);
void writes_free(struct writes *w);

#endif
