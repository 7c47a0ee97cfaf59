/*
 * ownproof.c - whether this host may write a node (see ownproof.h).
 */
#include "config.h"

#include <string.h>

#include "ownproof.h"

int
ownproof_value(const struct dir_value *vals, size_t n, struct ownrec *o)
{
	struct ownrec one;
	size_t i, count = 0;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < n; i++) {
		if (!ownrec_parse(vals[i].val, vals[i].len, &one))
			continue;
		if (count++ == 0)
			*o = one;
	}
	if (count > 1)
		memset(o, 0, sizeof(*o));
	return count == 0 ? 0 : count == 1 ? 1 : -1;
}

enum ownproof
ownproof_judge(const struct dir_node *n, int owned, const char *host,
    int64_t t, struct ownrec *held)
{
	int vmgroupd, found;

	memset(held, 0, sizeof(*held));
	if (!n->exists)
		return OWNPROOF_OURS;
	vmgroupd = owned || n->owner == DIR_OWNER_SELF;
	if (n->tombstoned)
		return vmgroupd ? OWNPROOF_OURS : OWNPROOF_FOREIGN;
	found = ownproof_value(n->values, n->nvalues, held);
	if (!vmgroupd || found == -1)
		return owned ? OWNPROOF_OURS : OWNPROOF_FOREIGN;
	if (found == 0)
		return owned ? OWNPROOF_OURS : OWNPROOF_FOREIGN;
	if (strcmp(held->host, host) == 0)
		return OWNPROOF_OURS;
	return t > held->t ? OWNPROOF_TAKE : OWNPROOF_HELD;
}

int
ownproof_scan(const struct dir_node *n, int owned, const char *host)
{
	struct ownrec held;

	if (!n->exists || n->tombstoned ||
	    ownproof_value(n->values, n->nvalues, &held) != 1)
		return 0;
	if (!owned && n->owner != DIR_OWNER_OTHER &&
	    strcmp(held.host, host) == 0)
		return n->owner == DIR_OWNER_SELF ? 1 : 2;
	if (owned && strcmp(held.host, host) != 0)
		return -1;
	return 0;
}
