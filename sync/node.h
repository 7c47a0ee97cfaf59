/*
 * node.h - one dnsNode made to hold what the model wants.
 *
 * A wanted node is created (claimed in the ownership record first), or, if
 * ours, changed with one constrained modify (exact old values out, new in;
 * diff.h says which), read again and retried when a concurrent writer got
 * there first.  A node of ours nobody wants is tombstoned the way Windows
 * DNS does it: one type-0 record holding the time, dNSTombstoned TRUE.  A
 * node that exists and is not ours is never touched: it is reported.
 */
#ifndef VMG_NODE_H
#define VMG_NODE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "diff.h"
#include "dir.h"
#include "model.h"
#include "own.h"
#include "sync.h"
#include "view.h"

/* The digest of a node's wanted values for cache.h, serials left out as
 * dnsrec_same_but_serial leaves them out. */
uint64_t node_digest(const struct model_node *node);
/* Make dn hold node: create, update, or refuse (and count in st) if it is
 * not ours (ownproof.h: a node the directory proves is this host's, or
 * that this host takes over, is taken into own).  0, or -1 with err. */
int node_sync(struct dir *d, struct own *own, struct view *v, const char *dn,
    const struct model_node *node, struct sync_stats *st, char *err,
    size_t errlen);
/* A node of ours nobody wants: tombstone it unless it is one already.
 * *gone is set when the node is no longer ours (purged meanwhile, or its
 * owner value names another host than host: taken over, ownproof.h): the
 * caller drops it from the ownership record (not done here: the caller
 * may be walking own_list).  0, or -1 with err. */
int node_unwanted(struct dir *d, struct view *v, const char *dn,
    const char *host, time_t now, int *gone, struct sync_stats *st,
    char *err, size_t errlen);

/* The views of a node's wanted values (no copies); free the array. */
struct dir_value *node_want(const struct model_node *node);
/* The diff's views of values (no copies; NULL-ended, free it). */
struct diff_val *node_views(const struct dir_value *v, size_t n);
/* Count and name in st a node that exists and is not ours. */
void node_note_foreign(struct sync_stats *st, const struct model_node *node,
    const char *dn);

/* Put in v what dn holds after df was written over held: the values
 * kept, then those added (df.dels in increasing order). */
void node_view_after(struct view *v, const char *dn,
    const struct dir_value *held, size_t nheld, const struct diff *df,
    const struct dir_value *want);

#endif
