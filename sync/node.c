/*
 * node.c - one dnsNode: create, constrained update, tombstone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "dnsrec.h"
#include "log.h"
#include "node.h"
#include "ownproof.h"
#include "view.h"
#include "xmem.h"

#define NODE_TRIES 3

uint64_t
node_digest(const struct model_node *node)
{
	uint64_t h = NAME_FNV_BASIS;
	size_t i;

	for (i = 0; i < node->nrrs; i++) {
		const struct model_rr *rr = &node->rrs[i];

		h = name_fnv1a64_update(h, &rr->len, sizeof(rr->len));
		h = dnsrec_hash_but_serial(h, rr->val, rr->len);
	}
	return h;
}

struct dir_value *
node_want(const struct model_node *node)
{
	struct dir_value *v = xcalloc(node->nrrs + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < node->nrrs; i++) {
		v[i].val = node->rrs[i].val;
		v[i].len = node->rrs[i].len;
	}
	return v;
}

/* Worth reading again and retrying: a concurrent writer got there first. */
static int
node_retryable(const struct dir *d)
{
	return dir_error(d) == DIR_EXISTS || dir_error(d) == DIR_CHANGED;
}

void
node_note_foreign(struct sync_stats *st, const struct model_node *node,
    const char *dn)
{
	st->foreign++;
	/* reported once per change by the daemon ("not in sync") */
	log_debug("refusing to touch %s: the node exists and vmgroupd does "
	    "not own it", dn);
	if (st->nforeign < SYNC_MAX_FOREIGN &&
	    name_fqdn(node->name, node->zone,
	    st->foreign_names[st->nforeign]) == 0)
		st->nforeign++;
}

/* Create the node, claiming it in the ownership record first.  0; -1 with
 * *local set when the record could not be saved (ours, a full disk say,
 * not the directory's: no retry, no "changed under us"); -1. */
static int
node_create(struct dir *d, struct own *own, const char *dn,
    const struct model_node *node, const struct dir_value *want, int *local,
    char *err, size_t errlen)
{
	int rc;

	own_add(own, OWN_NODE, dn);
	if (own_save(own, err, errlen) == -1) {
		*local = 1;
		return -1;
	}
	rc = dir_node_add(d, dn, node->name, want, node->nrrs, err, errlen);
	if (rc == 0)
		log_info("created %s (%zu record%s)", dn, node->nrrs,
		    node->nrrs == 1 ? "" : "s");
	else if (dir_error(d) == DIR_EXISTS)
		own_del(own, OWN_NODE, dn);	/* not ours */
	return rc;
}

struct diff_val *
node_views(const struct dir_value *v, size_t n)
{
	struct diff_val *dv = xcalloc(n + 1, sizeof(*dv));
	size_t i;

	for (i = 0; i < n; i++) {
		dv[i].val = v[i].val;
		dv[i].len = v[i].len;
	}
	return dv;
}

/* Write what diff_records found (not empty). */
static int
node_write(struct dir *d, const char *dn, const struct dir_node *cur,
    const struct dir_value *want, const struct diff *df, char *err,
    size_t errlen)
{
	struct dir_value *dels, *adds;
	size_t i;
	int rc;

	dels = xcalloc(df->ndels + 1, sizeof(*dels));
	adds = xcalloc(df->nadds + 1, sizeof(*adds));
	for (i = 0; i < df->ndels; i++)
		dels[i] = cur->values[df->dels[i]];
	for (i = 0; i < df->nadds; i++)
		adds[i] = want[df->adds[i]];
	rc = dir_node_update(d, dn, dels, df->ndels, adds, df->nadds,
	    (int)df->tomb, err, errlen);
	free(dels);
	free(adds);
	return rc;
}

/* What dn holds after df was written over held: the values kept, then
 * those added. */
void
node_view_after(struct view *v, const char *dn, const struct dir_value *held,
    size_t nheld, const struct diff *df, const struct dir_value *want)
{
	struct dir_value *out = xcalloc(nheld + df->nadds + 1, sizeof(*out));
	size_t i, j = 0, n = 0;

	for (i = 0; i < nheld; i++) {
		if (j < df->ndels && df->dels[j] == i) {
			j++;
			continue;
		}
		out[n++] = held[i];
	}
	for (i = 0; i < df->nadds; i++)
		out[n++] = want[df->adds[i]];
	view_put(v, dn, 1, 0, out, n);
	free(out);
}

/* Apply the diff to an existing node of ours. */
static int
node_update(struct dir *d, struct view *v, const char *dn,
    const struct dir_node *cur, const struct model_node *node,
    const struct dir_value *want, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct diff_val *hv, *wv;
	struct diff df;
	int rc = 0;

	hv = node_views(cur->values, cur->nvalues);
	wv = node_views(want, node->nrrs);
	diff_records(hv, cur->nvalues, cur->tombstoned, wv, node->nrrs, &df);
	free(hv);
	free(wv);
	if (diff_empty(&df)) {
		st->unchanged++;
		goto out;
	}
	rc = node_write(d, dn, cur, want, &df, err, errlen);
	if (rc == 0) {
		node_view_after(v, dn, cur->values, cur->nvalues, &df, want);
		log_info("%s %s: -%zu +%zu record%s", df.tomb ==
		    DIFF_TOMB_REVIVE ? "revived" : "updated", dn, df.ndels,
		    df.nadds, df.nadds == 1 ? "" : "s");
		if (df.tomb == DIFF_TOMB_REVIVE)
			st->revived++;
		else
			st->changed++;
	}
out:
	diff_free(&df);
	return rc;
}

/* May this host write cur, wanted as node (want: its values, holding the
 * owner value that names this host and when)?  A node the directory says
 * is ours, or that is taken over, goes into the ownership record. */
static enum ownproof
node_judge(struct own *own, const char *dn, const struct dir_node *cur,
    const struct model_node *node, const struct dir_value *want)
{
	int owned = own_has(own, OWN_NODE, dn);
	struct ownrec w, held;
	enum ownproof verdict;

	if (ownproof_value(want, node->nrrs, &w) != 1)
		return !cur->exists || owned ? OWNPROOF_OURS :
		    OWNPROOF_FOREIGN;
	verdict = ownproof_judge(cur, owned, w.host, w.t, &held);
	if (verdict == OWNPROOF_TAKE) {
		log_info("taking over %s from host %s: its VM registered here "
		    "later", dn, held.host);
		own_add(own, OWN_NODE, dn);
	} else if (verdict == OWNPROOF_OURS && cur->exists && !owned) {
		log_info("taking %s into the ownership record: the directory "
		    "says it is this host's", dn);
		own_add(own, OWN_NODE, dn);
	} else if (verdict == OWNPROOF_HELD) {
		log_debug("leaving %s to host %s: its registration there is "
		    "not older", dn, held.host);
		if (owned)
			own_del(own, OWN_NODE, dn);
	}
	return verdict;
}

int
node_sync(struct dir *d, struct own *own, struct view *v, const char *dn,
    const struct model_node *node, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct dir_value *want = node_want(node);
	struct dir_node cur;
	enum ownproof verdict;
	int tries, local = 0, rc = -1;

	for (tries = 0; tries < NODE_TRIES; tries++) {
		if (dir_node_read(d, dn, &cur, err, errlen) == -1)
			break;
		verdict = node_judge(own, dn, &cur, node, want);
		if (verdict == OWNPROOF_HELD || verdict == OWNPROOF_FOREIGN) {
			view_drop(v, dn);
			node_note_foreign(st, node, dn);
			rc = 0;
		} else if (!cur.exists) {
			view_put_node(v, dn, &cur);
			rc = node_create(d, own, dn, node, want, &local, err,
			    errlen);
			if (rc == 0) {
				st->added++;
				view_put(v, dn, 1, 0, want, node->nrrs);
			}
		} else {
			view_put_node(v, dn, &cur);
			rc = node_update(d, v, dn, &cur, node, want, st, err,
			    errlen);
		}
		dir_node_free(&cur);
		if (rc == 0 || local || !node_retryable(d))
			break;
		log_info("%s changed under us; reading it again", dn);
	}
	free(want);
	return rc;
}

/* Replace all of cur's values with one tombstone record. */
static int
node_entomb(struct dir *d, const char *dn, const struct dir_node *cur,
    time_t now, char *err, size_t errlen)
{
	struct dnsrec rec;
	uint8_t val[DNSREC_BUF];
	struct dir_value tomb;
	uint32_t serial = 0;
	size_t len;

	if (cur->nvalues > 0)
		serial = dnsrec_serial_of(cur->values[0].val,
		    cur->values[0].len);
	dnsrec_init(&rec, DNSREC_TYPE_ZERO, serial, 0, 0);
	rec.u.tombstone = dnsrec_nttime(now);
	if (dnsrec_encode(&rec, val, sizeof(val), &len) == -1) {
		(void)xsnprintf(err, errlen, "cannot encode a tombstone");
		return -1;
	}
	tomb.val = val;
	tomb.len = len;
	return dir_node_tombstone(d, dn, cur->values, cur->nvalues, &tomb, err,
	    errlen);
}

int
node_unwanted(struct dir *d, struct view *v, const char *dn,
    const char *host, time_t now, int *gone, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct dir_node cur;
	struct ownrec held;
	int tries, rc = -1;

	*gone = 0;
	for (tries = 0; tries < NODE_TRIES; tries++) {
		if (dir_node_read(d, dn, &cur, err, errlen) == -1)
			break;
		view_drop(v, dn);	/* read again once tombstoned */
		rc = 0;
		if (cur.exists && !cur.tombstoned &&
		    ownproof_judge(&cur, 1, host, -1, &held) == OWNPROOF_HELD) {
			/* another host took it over: its now, not ours */
			log_info("%s is host %s's now: forgotten, not "
			    "tombstoned", dn, held.host);
			*gone = 1;
			dir_node_free(&cur);
			break;
		}
		switch (diff_unwanted(cur.exists, cur.tombstoned)) {
		case DIFF_FORGET:
			*gone = 1;		/* purged meanwhile */
			break;
		case DIFF_ENTOMB:
			rc = node_entomb(d, dn, &cur, now, err, errlen);
			if (rc == 0) {
				st->tombstoned++;
				log_info("tombstoned %s (no records left)", dn);
			}
			break;
		case DIFF_KEEP:
			break;
		}
		dir_node_free(&cur);
		if (rc == 0 || !node_retryable(d))
			break;
	}
	return rc;
}
