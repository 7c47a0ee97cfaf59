/*
 * grouppriv.h - what group.c and grouppatch.c share: the vmGroup
 * attributes vmgroupd maintains, their values as strings, and the group
 * view's entries (group.h).
 */
#ifndef VMG_GROUPPRIV_H
#define VMG_GROUPPRIV_H

#include <stddef.h>

#include <uthash.h>

#include "group.h"

enum { GA_CN, GA_HOST, GA_DNSNAME, GA_IMAGE, GA_MEMBER, GA_ADDRESS, GA_N };
extern char *const group_attrs[GA_N + 1];
/* group_attrs, then the object's owner (dir_owner_of): for a read that
 * may find an object the ownership record does not hold */
enum { GA_SD = GA_N, GA_CREATOR, GA_READ_N };
extern char *const group_read_attrs[GA_READ_N + 1];
/* cur (read with group_read_attrs) exists, is not in own, and the
 * directory says it is host's (the service account owns it, its
 * vmGroupHost is host: a host rebuilt from scratch): 1, taken into own;
 * else 0. */
int group_adopt(const struct dir *d, struct own *own, const char *dn,
    const struct dir_entry *cur, const char *host);
extern const char ga_updated[];

struct group_vals {
	char **v[GA_N];			/* NULL-terminated string arrays */
	size_t n[GA_N];
};

/* What a group object of ours holds, as vmgroupd last wrote or read it
 * (sorted): the next change is written as a delta, without a read. */
struct group_known {
	char *dn;
	int absent;			/* known not to exist */
	struct group_vals gv;
	UT_hash_handle hh;
};

void gv_push(struct group_vals *gv, int a, const char *s);
void gv_free(struct group_vals *gv);
void group_known_drop(struct group_view *v, const char *dn);

/* A patched group (model_group.patch): its object's members and addresses
 * added and deleted as g says, with one modify, from what the group view
 * knows it holds (grouppatch.c).  -1 with st->stale counted when the view
 * does not know it as an object of ours, or the server says it changed. */
int group_patch(struct dir *d, struct own *own, const char *dn,
    const struct model_group *g, const struct sync_params *p,
    struct sync_stats *st, char *err, size_t errlen);

#endif
