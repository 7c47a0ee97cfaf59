/*
 * writes.c - the node writes of one pass (writes.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "dnsrec.h"
#include "log.h"
#include "node.h"
#include "writes.h"
#include "xmem.h"

struct writes_job {
	const struct model_node *node;	/* NULL: a tombstone */
	char *dn;
	uint64_t digest;
	int created;			/* claimed in the record for this add */
	int settled;			/* its success taken in */
	int add;			/* an add, not a modify */
	int revive;
	int patch;			/* a patched node (model_node.gone) */
	const struct dir_mod *mods;	/* another entry's modify: these */
	size_t nmods;
	void (*mods_done)(void *ctx, int ok);	/* its result */
	void *mods_ctx;
	struct dir_value *held;		/* a copy of what the view held */
	size_t nheld;
	struct dir_value *want;		/* node's values, or the tombstone */
	size_t nwant;
	uint8_t *tomb;			/* its bytes */
	struct diff df;
	struct dir_value *dels, *adds;
};

static struct writes_job *
writes_job_new(struct writes *w, const char *dn)
{
	struct writes_job *j;

	w->jobs = xreallocarray(w->jobs, w->n + 1, sizeof(*w->jobs));
	j = &w->jobs[w->n++];
	memset(j, 0, sizeof(*j));
	j->dn = xstrdup(dn);
	return j;
}

static void
writes_read_later(struct writes *w, const char *dn,
    const struct model_node *node)
{
	w->reads = xreallocarray(w->reads, w->nreads + 1, sizeof(*w->reads));
	w->read_nodes = xreallocarray(w->read_nodes, w->nreads + 1,
	    sizeof(*w->read_nodes));
	w->reads[w->nreads] = xstrdup(dn);
	w->read_nodes[w->nreads++] = node;
}

/* A copy of the held values (the view may change before the run ends). */
static struct dir_value *
writes_copy(const struct dir_value *v, size_t n)
{
	struct dir_value *out;
	uint8_t *p;
	size_t i, bytes = 0;

	for (i = 0; i < n; i++)
		bytes += v[i].len;
	out = xcalloc(1, (n + 1) * sizeof(*out) + bytes);	/* one block */
	p = (uint8_t *)(out + n + 1);
	for (i = 0; i < n; i++) {
		memcpy(p, v[i].val, v[i].len);
		out[i].val = p;
		out[i].len = v[i].len;
		p += v[i].len;
	}
	return out;
}

/* The modify of a node of ours the view knows: 0 nothing to write. */
static int
writes_diff(struct writes_job *j, const struct view_node *vn)
{
	struct dir_value *held = view_values(vn);
	struct diff_val *hv, *wv;
	size_t i;

	hv = node_views(held, vn->nvalues);
	wv = node_views(j->want, j->nwant);
	diff_records(hv, vn->nvalues, vn->tombstoned, wv, j->nwant, &j->df);
	free(hv);
	free(wv);
	if (diff_empty(&j->df)) {
		free(held);
		return 0;
	}
	j->held = writes_copy(held, vn->nvalues);
	j->nheld = vn->nvalues;
	free(held);
	j->revive = j->df.tomb == DIFF_TOMB_REVIVE;
	j->dels = xcalloc(j->df.ndels + 1, sizeof(*j->dels));
	j->adds = xcalloc(j->df.nadds + 1, sizeof(*j->adds));
	for (i = 0; i < j->df.ndels; i++)
		j->dels[i] = j->held[j->df.dels[i]];
	for (i = 0; i < j->df.nadds; i++)
		j->adds[i] = j->want[j->df.adds[i]];
	return 1;
}

/* 1 if the live node vn holds node's values, but for their serials: as
 * many values, the same digest (no diff built). */
static int
writes_same(const struct view_node *vn, const struct model_node *node)
{
	uint64_t digest = 0;
	size_t i;

	if (!vn->exists || vn->tombstoned || vn->nvalues != node->nrrs)
		return 0;
	for (i = 0; i < node->nrrs; i++)
		digest = view_digest_add(digest, node->rrs[i].val,
		    node->rrs[i].len);
	return digest == vn->digest;
}

static void
writes_job_drop(struct writes *w)
{
	struct writes_job *j = &w->jobs[--w->n];

	free(j->dn);
	free(j->want);
	diff_free(&j->df);
}

int
writes_want(struct writes *w, struct own *own, const struct view *v,
    const char *dn, const struct model_node *node, uint64_t digest,
    struct sync_stats *st)
{
	const struct view_node *vn = view_get(v, dn);
	int owned = own_has(own, OWN_NODE, dn);
	struct writes_job *j;

	if (!owned && vn != NULL && vn->exists) {
		node_note_foreign(st, node, dn);
		return 0;
	}
	if (owned && vn == NULL) {
		writes_read_later(w, dn, node);
		return 0;
	}
	if (owned && writes_same(vn, node)) {
		st->unchanged++;
		return 1;
	}
	j = writes_job_new(w, dn);
	j->node = node;
	j->digest = digest;
	j->want = node_want(node);
	j->nwant = node->nrrs;
	if (!owned || !vn->exists) {
		j->add = 1;
		j->created = !owned;
		if (j->created)
			own_add(own, OWN_NODE, dn);
		return 0;
	}
	if (writes_diff(j, vn))
		return 0;
	writes_job_drop(w);
	st->unchanged++;
	return 1;
}

/* The patch of a live node of ours (view: vn) into j: 0 nothing to write. */
static int
writes_patch_diff(struct writes_job *j, const struct view_node *vn)
{
	const struct model_gone *g = j->node->gone;
	struct dir_value *held = view_values(vn);
	struct diff_val *hv, *wv, *gv;
	size_t i;

	hv = node_views(held, vn->nvalues);
	wv = node_views(j->want, j->nwant);
	gv = xcalloc(g->nrrs + 1, sizeof(*gv));
	for (i = 0; i < g->nrrs; i++)
		gv[i] = (struct diff_val){ g->rrs[i].val, g->rrs[i].len };
	diff_patch(hv, vn->nvalues, wv, j->nwant, gv, g->nrrs, &j->df);
	free(hv);
	free(wv);
	free(gv);
	if (diff_empty(&j->df)) {
		free(held);
		return 0;
	}
	/* only the values deleted are copied (the view's node is the same
	 * when the write's result comes: writes_done patches it then) */
	j->dels = xcalloc(j->df.ndels + 1, sizeof(*j->dels));
	for (i = 0; i < j->df.ndels; i++)
		j->dels[i] = held[j->df.dels[i]];
	free(held);
	j->held = writes_copy(j->dels, j->df.ndels);
	j->nheld = j->df.ndels;
	memcpy(j->dels, j->held, j->df.ndels * sizeof(*j->dels));
	j->adds = xcalloc(j->df.nadds + 1, sizeof(*j->adds));
	for (i = 0; i < j->df.nadds; i++)
		j->adds[i] = j->want[j->df.adds[i]];
	return 1;
}

/* A patch written: the view's node patched the same way, in place. */
static void
writes_patched(struct view *v, const struct writes_job *j)
{
	if (view_patch(v, j->dn, j->df.dels, j->df.ndels, j->adds,
	    j->df.nadds) == -1)
		view_drop(v, j->dn);	/* read again when next wanted */
}

int
writes_patch(struct writes *w, const struct own *own, const struct view *v,
    const char *dn, const struct model_node *node, struct sync_stats *st)
{
	const struct view_node *vn = view_get(v, dn);
	struct writes_job *j;

	if (vn == NULL || !vn->exists || vn->tombstoned ||
	    !own_has(own, OWN_NODE, dn))
		return -1;
	j = writes_job_new(w, dn);
	j->node = node;
	j->patch = 1;
	j->want = node_want(node);
	j->nwant = node->nrrs;
	if (writes_patch_diff(j, vn))
		return 0;
	writes_job_drop(w);
	st->unchanged++;
	return 1;
}

void
writes_mods(struct writes *w, const char *dn, const struct dir_mod *mods,
    size_t n, void (*done)(void *ctx, int ok), void *ctx)
{
	struct writes_job *j = writes_job_new(w, dn);

	j->mods = mods;
	j->nmods = n;
	j->mods_done = done;
	j->mods_ctx = ctx;
}

int
writes_unwanted(struct writes *w, const struct view *v, const char *dn,
    time_t now)
{
	const struct view_node *vn = view_get(v, dn);
	struct writes_job *j;
	struct dir_value *held;
	uint8_t buf[DNSREC_BUF];
	struct dnsrec rec;
	size_t len;

	if (vn == NULL) {
		writes_read_later(w, dn, NULL);
		return 0;
	}
	if (!vn->exists)
		return 1;		/* purged meanwhile: forget it */
	if (vn->tombstoned)
		return 0;
	held = view_values(vn);
	dnsrec_init(&rec, DNSREC_TYPE_ZERO, vn->nvalues > 0 ?
	    dnsrec_serial_of(held[0].val, held[0].len) : 0, 0, 0);
	rec.u.tombstone = dnsrec_nttime(now);
	if (dnsrec_encode(&rec, buf, sizeof(buf), &len) == -1) {
		free(held);
		writes_read_later(w, dn, NULL);
		return 0;
	}
	j = writes_job_new(w, dn);
	j->tomb = xmalloc(len);
	memcpy(j->tomb, buf, len);
	j->want = xcalloc(2, sizeof(*j->want));
	j->want[0] = (struct dir_value){ j->tomb, len };
	j->nwant = 1;
	j->held = writes_copy(held, vn->nvalues);
	j->nheld = vn->nvalues;
	free(held);
	return 0;
}

static void
writes_op(const struct writes_job *j, struct dir_node_op *op)
{
	memset(op, 0, sizeof(*op));
	op->dn = j->dn;
	op->adds = j->want;
	op->nadds = j->nwant;
	if (j->mods != NULL) {
		op->kind = DIR_OP_MODS;
		op->mods = j->mods;
		op->nmods = j->nmods;
	} else if (j->add) {
		op->kind = DIR_OP_ADD;
		op->dc = j->node->name;
	} else if (j->node == NULL) {
		op->kind = DIR_OP_UPDATE;
		op->dels = j->held;
		op->ndels = j->nheld;
		op->tomb = 1;
	} else {
		op->kind = DIR_OP_UPDATE;
		op->dels = j->dels;
		op->ndels = j->df.ndels;
		op->adds = j->adds;
		op->nadds = j->df.nadds;
		op->tomb = j->revive ? 0 : -1;
	}
}

/* A write that succeeded: the view, the cache, the counts, the log. */
static void
writes_done(const struct writes_job *j, struct view *v, struct cache *c,
    struct sync_stats *st)
{
	if (j->mods != NULL) {
		j->mods_done(j->mods_ctx, 1);
		return;
	}
	if (j->node == NULL) {
		view_put(v, j->dn, 1, 1, j->want, 1);
		st->tombstoned++;
		log_info("tombstoned %s (no records left)", j->dn);
		return;
	}
	if (j->patch)
		cache_drop(c, j->dn);	/* its digest is of the patch only */
	else
		cache_put(c, j->dn, j->digest);
	if (j->add) {
		view_put(v, j->dn, 1, 0, j->want, j->nwant);
		st->added++;
		log_info("created %s (%zu record%s)", j->dn, j->nwant,
		    j->nwant == 1 ? "" : "s");
		return;
	}
	if (j->patch)
		writes_patched(v, j);
	else
		node_view_after(v, j->dn, j->held, j->nheld, &j->df, j->want);
	if (j->revive)
		st->revived++;
	else
		st->changed++;
	log_info("%s %s: -%zu +%zu record%s", j->revive ? "revived" :
	    "updated", j->dn, j->df.ndels, j->df.nadds, j->df.nadds == 1 ?
	    "" : "s");
}

/* One node the careful way: read, then write (node.h). */
static int
writes_careful(struct writes *w, struct dir *d, struct own *own,
    struct view *v, const struct sync_params *p, const char *dn,
    const struct model_node *node, struct sync_stats *st, char *err,
    size_t errlen)
{
	size_t foreign = st->foreign;
	int gone = 0, rc;

	if (node == NULL) {
		rc = node_unwanted(d, v, dn, p->host, p->now, &gone, st, err,
		    errlen);
		if (rc == 0 && gone) {
			w->gone = xreallocarray(w->gone, w->ngone + 1,
			    sizeof(*w->gone));
			w->gone[w->ngone++] = xstrdup(dn);
		}
		return rc;
	}
	rc = node_sync(d, own, v, dn, node, st, err, errlen);
	if (rc == 0 && st->foreign == foreign)
		cache_put(p->cache, dn, node_digest(node));
	return rc;
}

struct writes_ctx {
	struct writes *w;
	const struct dir_node_op *ops;
	struct view *v;
	struct cache *cache;
	struct sync_stats *st;
};

/* A result as it comes: a success is taken in (and logged) at once. */
static void
writes_settle(void *arg, size_t i)
{
	struct writes_ctx *c = arg;

	if (c->ops[i].result != DIR_OK)
		return;
	writes_done(&c->w->jobs[i], c->v, c->cache, c->st);
	c->w->jobs[i].settled = 1;
}

/* After the pipelined run: each result taken in; a node the server says
 * the view was wrong about goes the careful way, if the run went on. */
static int
writes_results(struct writes *w, struct dir_node_op *ops, int run_ok,
    struct dir *d, struct own *own, struct view *v,
    const struct sync_params *p, struct sync_stats *st, char *err,
    size_t errlen)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < w->n; i++) {
		struct writes_job *j = &w->jobs[i];

		if (j->settled)
			continue;
		if (j->created && (!ops[i].sent || (ops[i].done &&
		    ops[i].result == DIR_EXISTS)))
			own_del(own, OWN_NODE, j->dn);	/* not ours */
		if (j->mods != NULL) {	/* not written: its owner forgets */
			j->mods_done(j->mods_ctx, 0);
			if (ops[i].done && ops[i].result == DIR_CHANGED)
				st->stale++;
			if (ops[i].done && rc == 0) {
				(void)xsnprintf(err, errlen, "%s changed under "
				    "us", j->dn);
				rc = -1;
			}
			continue;
		}
		if (!run_ok || rc == -1 || !ops[i].done)
			continue;
		view_drop(v, j->dn);
		if (j->patch) {		/* only a whole build may write it */
			st->stale++;
			(void)xsnprintf(err, errlen, "%s changed under us",
			    j->dn);
			rc = -1;
			continue;
		}
		log_info("%s changed under us; reading it again", j->dn);
		rc = writes_careful(w, d, own, v, p, j->dn, j->node, st, err,
		    errlen);
	}
	return rc;
}

int
writes_run(struct writes *w, struct dir *d, struct own *own, struct view *v,
    const struct sync_params *p, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct dir_run run = { WRITES_WINDOW, p->stop, writes_settle, NULL };
	struct writes_ctx ctx;
	struct dir_node_op *ops;
	size_t i;
	int rc;

	if (own_save(own, err, errlen) == -1) {
		for (i = 0; i < w->n; i++)
			if (w->jobs[i].created)
				own_del(own, OWN_NODE, w->jobs[i].dn);
		return -1;
	}
	ops = xcalloc(w->n + 1, sizeof(*ops));
	for (i = 0; i < w->n; i++)
		writes_op(&w->jobs[i], &ops[i]);
	run.ctx = &ctx;
	ctx = (struct writes_ctx){ w, ops, v, p->cache, st };
	rc = dir_node_run(d, ops, w->n, &run, err, errlen);
	if (writes_results(w, ops, rc == 0, d, own, v, p, st, err,
	    errlen) == -1)
		rc = -1;
	free(ops);
	for (i = 0; i < w->nreads && rc == 0; i++) {
		if (p->stop != NULL && p->stop()) {
			(void)xsnprintf(err, errlen, "stopped by a signal");
			return -1;
		}
		rc = writes_careful(w, d, own, v, p, w->reads[i],
		    w->read_nodes[i], st, err, errlen);
	}
	return rc;
}

void
writes_free(struct writes *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		struct writes_job *j = &w->jobs[i];

		free(j->held);
		free(j->dn);
		free(j->want);
		free(j->tomb);
		free(j->dels);
		free(j->adds);
		diff_free(&j->df);
	}
	free(w->jobs);
	for (i = 0; i < w->nreads; i++)
		free(w->reads[i]);
	free(w->reads);
	free(w->read_nodes);
	for (i = 0; i < w->ngone; i++)
		free(w->gone[i]);
	free(w->gone);
	memset(w, 0, sizeof(*w));
}
