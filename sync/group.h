/*
 * group.h - vmGroup objects made to hold what the model wants.
 *
 * The same ownership rule as for nodes: an object is created (claimed in
 * the ownership record first) or, if ours, its differing attributes are
 * replaced; one that is not ours is never touched, only reported.  An
 * emptied group's object is deleted, unless it is blocked: then it is
 * kept, without members or addresses, so the block holds when the group
 * fills again (vmgroupd never writes the block attributes; only
 * `vmgroup unblock` clears them).
 */
#ifndef VMG_GROUP_H
#define VMG_GROUP_H

#include <stddef.h>

#include "dir.h"
#include "model.h"
#include "own.h"
#include "sync.h"

/* The group objects of ours whose values vmgroupd knows (written or read
 * since the last full reconcile): changed with a delta, without a read. */
struct group_known;
struct group_view {
	struct group_known *map;
};
void group_view_clear(struct group_view *v);
/* Read the objects named names[0..n) under ou with one search (per 256):
 * what each of ours holds; those not found are known not to exist. */
int group_view_load(struct group_view *v, struct dir *d, const struct own *own,
    const char *ou, const char *const *names, size_t n, char *err,
    size_t errlen);

/* Does v know dn as an object of ours (a patched group may be written
 * from it: model_group.patch)? */
int group_patchable(const struct group_view *v, const struct own *own,
    const char *dn);
/* A patched group's object (model_group.patch) planned for a pipelined
 * run (writes.h): 1 planned (*out), 0 nothing to write, -1 with st->stale
 * counted when the group view does not know it as an object of ours. */
struct group_plan;
int group_patch_plan(const struct group_view *v, const struct own *own,
    const char *dn, const struct model_group *g, time_t now,
    struct group_plan **out, struct sync_stats *st, char *err,
    size_t errlen);
const char *group_plan_dn(const struct group_plan *pl);
const struct dir_mod *group_plan_mods(const struct group_plan *pl,
    size_t *n);
/* Its result: ok, the group view and the cache follow; else the view
 * forgets the object. */
void group_plan_done(struct group_view *v, struct cache *c,
    struct group_plan *pl, int ok, struct sync_stats *st);
void group_plan_free(struct group_plan *pl);
/* Make dn hold g (a patched one: grouppriv.h).  0, or -1 with err. */
int group_sync(struct dir *d, struct own *own, const char *dn,
    const struct model_group *g, const struct sync_params *p,
    struct sync_stats *st, char *err, size_t errlen);
/* A group of ours nobody is in any more: delete its object, or empty it if
 * it is blocked.  *forget is set when dn is to leave the ownership record
 * (deleted, or gone already): the caller drops it, after its walk of
 * own_list.  0, or -1 with err. */
int group_gone(struct dir *d, const struct sync_params *p, const char *dn,
    int *forget, struct sync_stats *st, char *err, size_t errlen);

#endif
