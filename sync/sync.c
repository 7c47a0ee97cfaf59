/*
 * sync.c - diff the desired state against the directory and apply it,
 * never touching what we do not own.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diff.h"
#include "dn.h"
#include "dnsrec.h"
#include "log.h"
#include "sync.h"
#include "xmem.h"

#define SYNC_TRIES 3

void
sync_cache_clear(struct sync_cache *c)
{
	struct sync_cache_entry *e, *tmp;

	HASH_ITER(hh, c->map, e, tmp) {
		HASH_DEL(c->map, e);
		free(e->dn);
		free(e);
	}
}

/* True if an earlier pass left dn with values of this digest, and this is
 * no full reconcile. */
static int
sync_cache_fresh(const struct sync_params *p, const char *dn, uint64_t digest)
{
	struct sync_cache_entry *e;

	if (p->cache == NULL || p->full)
		return 0;
	HASH_FIND_STR(p->cache->map, dn, e);
	return e != NULL && e->digest == digest;
}

static void
sync_cache_put(const struct sync_params *p, const char *dn, uint64_t digest)
{
	struct sync_cache_entry *e;

	if (p->cache == NULL)
		return;
	HASH_FIND_STR(p->cache->map, dn, e);
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->dn = xstrdup(dn);
		HASH_ADD_KEYPTR(hh, p->cache->map, e->dn, strlen(e->dn), e);
	}
	e->digest = digest;
}

static void
sync_cache_drop(const struct sync_params *p, const char *dn)
{
	struct sync_cache_entry *e;

	if (p->cache == NULL)
		return;
	HASH_FIND_STR(p->cache->map, dn, e);
	if (e != NULL) {
		HASH_DEL(p->cache->map, e);
		free(e->dn);
		free(e);
	}
}

/* The digest of a node's wanted values (sorted already), serials left
 * out as dnsrec_same_but_serial leaves them out. */
static uint64_t
sync_node_digest(const struct model_node *node)
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

#define SYNC_DIGEST_TOMBSTONE 1	/* a node of ours with no records */

int
sync_zone_serial(struct dir *d, const struct sync_params *p, const char *zone,
    uint32_t *serial, char *err, size_t errlen)
{
	struct dir_node n;
	struct dnsrec rec;
	char *zdn = NULL, *ndn = NULL;
	size_t i;
	int rc = -1;

	if (dn_zone(p->base, p->partition, zone, &zdn) == -1 ||
	    dn_node(zdn, "@", &ndn) == -1) {
		(void)xsnprintf(err, errlen, "zone %s: cannot build its DN",
		    zone);
		goto out;
	}
	if (dir_node_read(d, ndn, &n, err, errlen) == -1)
		goto out;
	for (i = 0; i < n.nvalues; i++) {
		const uint8_t *v = (const uint8_t *)n.values[i]->bv_val;
		size_t len = n.values[i]->bv_len;

		if (dnsrec_decode(v, len, &rec) == 0 &&
		    rec.type == DNSREC_TYPE_SOA) {
			*serial = rec.u.soa.serial;
			rc = 0;
		} else if (rc == -1 &&
		    dnsrec_peek_soa_serial(v, len, serial) == 0) {
			rc = 0;	/* names our decoder refuses; serial is fine */
		}
	}
	if (rc == -1)
		(void)xsnprintf(err, errlen, "zone %s: no SOA record at %s "
		    "(does the zone exist, may we read it?)", zone, ndn);
	dir_node_free(&n);
out:
	free(zdn);
	free(ndn);
	return rc;
}

int
sync_serials(struct dir *d, const struct sync_params *p,
    struct model_config *cfg, char *err, size_t errlen)
{
	size_t i;

	if (sync_zone_serial(d, p, cfg->zone, &cfg->serial, err, errlen) == -1)
		return -1;
	for (i = 0; i < cfg->nrevzones; i++)
		if (sync_zone_serial(d, p, cfg->revzones[i],
		    &cfg->revserials[i], err, errlen) == -1)
			return -1;
	return 0;
}

/* The views of a node's held and wanted values (no copies). */
static void
sync_views(const struct dir_node *cur, const struct model_node *node,
    struct diff_val **held, struct diff_val **want)
{
	size_t i;

	*held = xcalloc(cur->nvalues + 1, sizeof(**held));
	*want = xcalloc(node->nrrs + 1, sizeof(**want));
	for (i = 0; i < cur->nvalues; i++) {
		(*held)[i].val = (const uint8_t *)cur->values[i]->bv_val;
		(*held)[i].len = cur->values[i]->bv_len;
	}
	for (i = 0; i < node->nrrs; i++) {
		(*want)[i].val = node->rrs[i].val;
		(*want)[i].len = node->rrs[i].len;
	}
}

/* The berval views of a node's wanted values (no copies). */
static struct berval *
sync_want_bv(const struct model_node *node)
{
	struct berval *bv = xcalloc(node->nrrs + 1, sizeof(*bv));
	size_t i;

	for (i = 0; i < node->nrrs; i++) {
		bv[i].bv_val = (char *)(uintptr_t)node->rrs[i].val;
		bv[i].bv_len = node->rrs[i].len;
	}
	return bv;
}

static int
sync_retryable(int rc)
{
	return rc == LDAP_NO_SUCH_ATTRIBUTE || rc == LDAP_TYPE_OR_VALUE_EXISTS ||
	    rc == LDAP_ALREADY_EXISTS || rc == LDAP_NO_SUCH_OBJECT;
}

static void
sync_note_foreign(struct sync_stats *st, const struct model_node *node,
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

/* Create the node, claiming it in the ownership record first. */
static int
sync_create(struct dir *d, struct own *own, const char *dn,
    const struct model_node *node, struct berval *wbv, char *err,
    size_t errlen)
{
	struct berval **vals;
	size_t i;
	int rc;

	own_add(own, OWN_NODE, dn);
	if (own_save(own, err, errlen) == -1) {
		/* ours (a full disk, say), not the directory's: no retry,
		 * and no "changed under us" */
		d->last_rc = LDAP_LOCAL_ERROR;
		return -1;
	}
	vals = xcalloc(node->nrrs + 1, sizeof(*vals));
	for (i = 0; i < node->nrrs; i++)
		vals[i] = &wbv[i];
	rc = dir_node_add(d, dn, node->name, vals, node->nrrs, err, errlen);
	free(vals);
	if (rc == 0)
		log_info("created %s (%zu record%s)", dn, node->nrrs,
		    node->nrrs == 1 ? "" : "s");
	return rc;
}

/* Apply the diff to an existing node of ours. */
static int
sync_update(struct dir *d, const char *dn, const struct dir_node *cur,
    const struct model_node *node, struct berval *wbv, struct sync_stats *st,
    char *err, size_t errlen)
{
	struct diff_val *held, *want;
	struct berval **dels, **adds;
	struct diff df;
	size_t i;
	int rc = 0;

	sync_views(cur, node, &held, &want);
	diff_records(held, cur->nvalues, cur->tombstoned, want, node->nrrs,
	    &df);
	free(held);
	free(want);
	if (diff_empty(&df)) {
		st->unchanged++;
		goto out;
	}
	dels = xcalloc(df.ndels + 1, sizeof(*dels));
	adds = xcalloc(df.nadds + 1, sizeof(*adds));
	for (i = 0; i < df.ndels; i++)
		dels[i] = cur->values[df.dels[i]];
	for (i = 0; i < df.nadds; i++)
		adds[i] = &wbv[df.adds[i]];
	rc = dir_node_update(d, dn, dels, df.ndels, adds, df.nadds,
	    (int)df.tomb, err, errlen);
	free(dels);
	free(adds);
	if (rc == 0) {
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

/* One wanted node: create, update, or refuse if foreign. */
static int
sync_node(struct dir *d, struct own *own, const char *dn,
    const struct model_node *node, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct berval *wbv = sync_want_bv(node);
	struct dir_node cur;
	int tries, rc = -1;

	for (tries = 0; tries < SYNC_TRIES; tries++) {
		if (dir_node_read(d, dn, &cur, err, errlen) == -1)
			break;
		if (cur.exists && !own_has(own, OWN_NODE, dn)) {
			sync_note_foreign(st, node, dn);
			rc = 0;
		} else if (!cur.exists) {
			rc = sync_create(d, own, dn, node, wbv, err, errlen);
			if (rc == 0)
				st->added++;
			else if (dir_last_rc(d) == LDAP_ALREADY_EXISTS)
				own_del(own, OWN_NODE, dn); /* not ours */
		} else {
			rc = sync_update(d, dn, &cur, node, wbv, st, err,
			    errlen);
		}
		dir_node_free(&cur);
		if (rc == 0 || !sync_retryable(dir_last_rc(d)))
			break;
		log_info("%s changed under us; reading it again", dn);
	}
	free(wbv);
	return rc;
}

/* Replace all of cur's values with one tombstone record. */
static int
sync_entomb(struct dir *d, const char *dn, const struct dir_node *cur,
    time_t now, char *err, size_t errlen)
{
	struct dnsrec rec;
	uint8_t val[DNSREC_BUF];
	struct berval tbv, *adds[1] = { &tbv };
	uint32_t serial = 0;
	size_t len;

	if (cur->nvalues > 0)
		serial = dnsrec_serial_of((const uint8_t *)cur->values[0]->bv_val,
		    cur->values[0]->bv_len);
	dnsrec_init(&rec, DNSREC_TYPE_ZERO, serial, 0, 0);
	rec.u.tombstone = dnsrec_nttime(now);
	if (dnsrec_encode(&rec, val, sizeof(val), &len) == -1) {
		(void)xsnprintf(err, errlen, "cannot encode a tombstone");
		return -1;
	}
	tbv.bv_val = (char *)val;
	tbv.bv_len = len;
	return dir_node_update(d, dn, cur->values, cur->nvalues, adds, 1, 1,
	    err, errlen);
}

/* A node of ours nobody wants any more: tombstone it. */
static int
sync_unwanted(struct dir *d, struct own *own, const char *dn, time_t now,
    struct sync_stats *st, char *err, size_t errlen)
{
	struct dir_node cur;
	int tries, rc = -1;

	for (tries = 0; tries < SYNC_TRIES; tries++) {
		if (dir_node_read(d, dn, &cur, err, errlen) == -1)
			break;
		rc = 0;
		if (!cur.exists) {
			own_del(own, OWN_NODE, dn);	/* purged meanwhile */
		} else if (!cur.tombstoned) {
			rc = sync_entomb(d, dn, &cur, now, err, errlen);
			if (rc == 0) {
				st->tombstoned++;
				log_info("tombstoned %s (no records left)", dn);
			}
		}
		dir_node_free(&cur);
		if (rc == 0 || !sync_retryable(dir_last_rc(d)))
			break;
	}
	return rc;
}

struct dn_set {
	char *dn;
	UT_hash_handle hh;
};

static void
dn_set_free(struct dn_set **set)
{
	struct dn_set *e, *tmp;

	HASH_ITER(hh, *set, e, tmp) {
		HASH_DEL(*set, e);
		free(e->dn);
		free(e);
	}
}

static void
dn_set_add(struct dn_set **set, char *dn)
{
	struct dn_set *e = xcalloc(1, sizeof(*e));

	e->dn = dn;
	HASH_ADD_KEYPTR(hh, *set, e->dn, strlen(e->dn), e);
}

/* The attributes of a vmGroup object that vmgroupd maintains.  The blocked
 * flag, reason and time belong to whoever blocks; we never write them. */
enum { GA_CN, GA_HOST, GA_DNSNAME, GA_IMAGE, GA_MEMBER, GA_ADDRESS, GA_N };
static char ga_cn[] = "cn", ga_host[] = "vmGroupHost",
    ga_dnsname[] = "vmGroupDNSName", ga_image[] = "vmGroupImage",
    ga_member[] = "vmGroupMember", ga_address[] = "vmGroupAddress",
    ga_updated[] = "vmGroupLastUpdate", ga_oc[] = "objectClass";
static char *const group_attrs[GA_N + 1] = { ga_cn, ga_host, ga_dnsname,
    ga_image, ga_member, ga_address, NULL };

struct group_vals {
	char **v[GA_N];			/* NULL-terminated string arrays */
	size_t n[GA_N];
};

static void
gv_push(struct group_vals *gv, int a, const char *s)
{
	gv->v[a] = xreallocarray(gv->v[a], gv->n[a] + 2, sizeof(char *));
	gv->v[a][gv->n[a]++] = xstrdup(s);
	gv->v[a][gv->n[a]] = NULL;
}

static void
gv_free(struct group_vals *gv)
{
	size_t a, i;

	for (a = 0; a < GA_N; a++) {
		for (i = 0; i < gv->n[a]; i++)
			free(gv->v[a][i]);
		free(gv->v[a]);
	}
	memset(gv, 0, sizeof(*gv));
}

static void
gv_build(const struct model_group *g, struct group_vals *gv)
{
	char addr[64];
	size_t i;

	memset(gv, 0, sizeof(*gv));
	gv_push(gv, GA_CN, g->name);
	gv_push(gv, GA_HOST, g->host);
	gv_push(gv, GA_DNSNAME, g->fqdn);
	if (g->image[0] != '\0')
		gv_push(gv, GA_IMAGE, g->image);
	for (i = 0; i < g->nmembers; i++)
		gv_push(gv, GA_MEMBER, g->members[i]);
	for (i = 0; i < g->naddrs; i++)
		if (event_addr_format(&g->addrs[i], addr, sizeof(addr)) == 0)
			gv_push(gv, GA_ADDRESS, addr);
}

static uint64_t
gv_digest(const struct group_vals *gv)
{
	uint64_t h = NAME_FNV_BASIS;
	size_t a, i;

	for (a = 0; a < GA_N; a++) {
		h = name_fnv1a64_update(h, &a, sizeof(a));
		for (i = 0; i < gv->n[a]; i++)
			h = name_fnv1a64_update(h, gv->v[a][i],
			    strlen(gv->v[a][i]) + 1);
	}
	return h;
}

/* Same set of values (ours are distinct; the server's are distinct). */
static int
gv_same(struct berval **cur, char **want, size_t nwant)
{
	size_t i, j, ncur = cur != NULL ? (size_t)ldap_count_values_len(cur) : 0;

	if (ncur != nwant)
		return 0;
	for (j = 0; j < nwant; j++) {
		for (i = 0; i < ncur; i++)
			if (cur[i]->bv_len == strlen(want[j]) &&
			    memcmp(cur[i]->bv_val, want[j], cur[i]->bv_len) == 0)
				break;
		if (i == ncur)
			return 0;
	}
	return 1;
}

static void
sync_gentime(time_t now, char out[32])
{
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, 32, "%Y%m%d%H%M%S.0Z", &tm) == 0)
		(void)xstrlcpy(out, "19700101000000.0Z", 32);
}

/* Add (create) or replace (update) the group's attributes; for an update
 * only those in differ[] (all when differ is NULL). */
static int
sync_group_write(struct dir *d, const char *dn, struct group_vals *gv,
    const int *differ, time_t now, char *err, size_t errlen)
{
	static char oc_top[] = "top", oc_vmgroup[] = "vmGroup";
	char stamp[32], *tv[] = { stamp, NULL };
	char *ocv[] = { oc_top, oc_vmgroup, NULL };
	LDAPMod m[GA_N + 2], *mods[GA_N + 3];
	int op = differ == NULL ? LDAP_MOD_ADD : LDAP_MOD_REPLACE;
	size_t a, n = 0;

	sync_gentime(now, stamp);
	if (differ == NULL) {
		m[n] = (LDAPMod){ LDAP_MOD_ADD, ga_oc, { .modv_strvals = ocv } };
		mods[n] = &m[n];
		n++;
	}
	for (a = 0; a < GA_N; a++) {
		if (differ != NULL ? !differ[a] : gv->n[a] == 0)
			continue;
		m[n] = (LDAPMod){ op, group_attrs[a],
		    { .modv_strvals = gv->v[a] } };
		mods[n] = &m[n];
		n++;
	}
	m[n] = (LDAPMod){ op, ga_updated, { .modv_strvals = tv } };
	mods[n] = &m[n];
	mods[++n] = NULL;
	if (differ == NULL)
		return dir_entry_add(d, dn, mods, err, errlen);
	return dir_entry_modify(d, dn, mods, err, errlen);
}

static int
sync_group(struct dir *d, struct own *own, const char *dn,
    const struct model_group *g, const struct sync_params *p,
    struct sync_stats *st, char *err, size_t errlen)
{
	struct group_vals gv;
	struct dir_entry cur;
	int differ[GA_N], any = 0, rc = -1;
	time_t now = p->now;
	uint64_t digest;
	size_t a;

	gv_build(g, &gv);
	memset(&cur, 0, sizeof(cur));
	digest = gv_digest(&gv);
	if (sync_cache_fresh(p, dn, digest)) {
		st->cached++;
		rc = 0;
		goto out;
	}
	if (dir_entry_read(d, dn, group_attrs, &cur, err, errlen) == -1)
		goto out;
	if (!cur.exists) {
		own_add(own, OWN_GROUP, dn);
		if (own_save(own, err, errlen) == -1)
			goto out;
		rc = sync_group_write(d, dn, &gv, NULL, now, err, errlen);
		if (rc == 0) {
			st->groups_added++;
			sync_cache_put(p, dn, digest);
			log_info("created group object %s", dn);
		} else if (dir_last_rc(d) == LDAP_ALREADY_EXISTS)
			own_del(own, OWN_GROUP, dn);
		goto out;
	}
	if (!own_has(own, OWN_GROUP, dn)) {
		log_debug("refusing to touch %s: it exists and vmgroupd does "
		    "not own it", dn);
		st->foreign++;
		if (st->nforeign_groups < SYNC_MAX_FOREIGN)
			(void)xstrlcpy(st->foreign_groups[st->nforeign_groups++],
			    g->name, NAME_LABEL_BUF);
		rc = 0;
		goto out;
	}
	for (a = 0; a < GA_N; a++)
		any |= differ[a] = !gv_same(cur.vals[a], gv.v[a], gv.n[a]);
	rc = any ? sync_group_write(d, dn, &gv, differ, now, err, errlen) : 0;
	if (any && rc == 0) {
		st->groups_changed++;
		log_info("updated group object %s", dn);
	}
	if (rc == 0)
		sync_cache_put(p, dn, digest);
out:
	dir_entry_free(&cur);
	gv_free(&gv);
	return rc;
}

/* Empty a blocked group's object instead of deleting it: the block must
 * hold when the group fills again.  0 kept (or nothing to do), -1 failure. */
static int
sync_group_keep(struct dir *d, const char *dn, const struct dir_entry *cur,
    time_t now, char *err, size_t errlen)
{
	char stamp[32], *tv[] = { stamp, NULL };
	LDAPMod m[3], *mods[4];
	size_t n = 0;

	if (cur->vals[1] != NULL) {
		m[n] = (LDAPMod){ LDAP_MOD_DELETE, ga_member, { NULL } };
		mods[n] = &m[n];
		n++;
	}
	if (cur->vals[2] != NULL) {
		m[n] = (LDAPMod){ LDAP_MOD_DELETE, ga_address, { NULL } };
		mods[n] = &m[n];
		n++;
	}
	if (n == 0)
		return 0;
	sync_gentime(now, stamp);
	m[n] = (LDAPMod){ LDAP_MOD_REPLACE, ga_updated, { .modv_strvals = tv } };
	mods[n] = &m[n];
	mods[++n] = NULL;
	if (dir_entry_modify(d, dn, mods, err, errlen) == -1)
		return -1;
	log_info("kept group object %s without members: it is blocked, and "
	    "only vmgroup unblock clears a block", dn);
	return 1;
}

#define SYNC_DIGEST_KEPT 2	/* an emptied group object kept: blocked */

/* A group of ours nobody is in any more: delete its object, or empty it
 * if it is blocked. */
static int
sync_group_gone(struct dir *d, struct own *own, const struct sync_params *p,
    const char *dn, struct sync_stats *st, char *err, size_t errlen)
{
	static char ga_blocked[] = "vmGroupBlocked";
	char *attrs[] = { ga_blocked, ga_member, ga_address, NULL };
	struct dir_entry cur;
	int rc;

	if (sync_cache_fresh(p, dn, SYNC_DIGEST_KEPT)) {
		st->cached++;
		return 0;
	}
	if (dir_entry_read(d, dn, attrs, &cur, err, errlen) == -1)
		return -1;
	if (cur.exists && cur.vals[0] != NULL && cur.vals[0][0] != NULL &&
	    cur.vals[0][0]->bv_len == 4 &&
	    strncasecmp(cur.vals[0][0]->bv_val, "TRUE", 4) == 0) {
		rc = sync_group_keep(d, dn, &cur, p->now, err, errlen);
		dir_entry_free(&cur);
		if (rc == -1)
			return -1;
		st->groups_kept++;
		sync_cache_put(p, dn, SYNC_DIGEST_KEPT);
		return 0;
	}
	rc = cur.exists;
	dir_entry_free(&cur);
	sync_cache_drop(p, dn);
	if (rc && dir_entry_delete(d, dn, err, errlen) == -1 &&
	    dir_last_rc(d) != LDAP_NO_SUCH_OBJECT)
		return -1;
	if (rc)
		log_info("deleted group object %s (no members left)", dn);
	own_del(own, OWN_GROUP, dn);	/* frees dn */
	st->groups_deleted++;
	return 0;
}

/* A stop was asked for (SIGTERM): end the pass before the next write. */
static int
sync_stopping(const struct sync_params *p, char *err, size_t errlen)
{
	if (p->stop == NULL || !p->stop())
		return 0;
	(void)xsnprintf(err, errlen, "stopped by a signal");
	return -1;
}

/* The wanted nodes of one pass: VM nodes first (pass 0), so a VM whose
 * name is taken is found before anything is written for it. */
static int
sync_wanted(struct dir *d, struct own *own, const struct sync_params *p,
    const struct model_desired *want, int pass, struct dn_set **wanted,
    struct sync_stats *st, char *err, size_t errlen)
{
	char *zdn = NULL, *dn = NULL;
	uint64_t digest;
	size_t i, foreign;
	int rc = 0;

	for (i = 0; i < want->nnodes && rc == 0; i++) {
		const struct model_node *node = &want->nodes[i];

		if ((node->kind == MODEL_NODE_VM) != (pass == 0))
			continue;
		if (sync_stopping(p, err, errlen) == -1)
			return -1;
		if (dn_zone(p->base, p->partition, node->zone, &zdn) == -1 ||
		    dn_node(zdn, node->name, &dn) == -1) {
			(void)xsnprintf(err, errlen, "cannot build the DN of %s",
			    node->name);
			free(zdn);
			return -1;
		}
		free(zdn);
		dn_set_add(wanted, dn);
		digest = sync_node_digest(node);
		if (sync_cache_fresh(p, dn, digest)) {
			st->cached++;
			continue;
		}
		foreign = st->foreign;
		rc = sync_node(d, own, dn, node, st, err, errlen);
		if (rc == 0 && st->foreign == foreign)
			sync_cache_put(p, dn, digest);
	}
	return rc;
}

static int
sync_nodes(struct dir *d, struct own *own, const struct sync_params *p,
    const struct model_desired *want, struct dn_set **wanted,
    struct sync_stats *st, char *err, size_t errlen)
{
	const char **owned;
	struct dn_set *e;
	size_t i, n;
	int rc;

	rc = sync_wanted(d, own, p, want, 0, wanted, st, err, errlen);
	if (rc == 0)
		rc = sync_wanted(d, own, p, want, 1, wanted, st, err, errlen);
	owned = own_list(own, OWN_NODE, &n);
	for (i = 0; i < n && rc == 0; i++) {
		HASH_FIND_STR(*wanted, owned[i], e);
		if (e != NULL)
			continue;
		if (sync_cache_fresh(p, owned[i], SYNC_DIGEST_TOMBSTONE)) {
			st->cached++;
			continue;
		}
		if ((rc = sync_stopping(p, err, errlen)) == -1)
			break;
		/* cache first: sync_unwanted may drop (and free) the DN */
		sync_cache_put(p, owned[i], SYNC_DIGEST_TOMBSTONE);
		rc = sync_unwanted(d, own, owned[i], p->now, st, err, errlen);
	}
	free(owned);
	return rc;
}

static int
sync_groups(struct dir *d, struct own *own, const struct sync_params *p,
    const struct model_desired *want, struct dn_set **wanted,
    struct sync_stats *st, char *err, size_t errlen)
{
	const char **owned;
	struct dn_set *e;
	char *dn;
	size_t i, n;
	int rc = 0;

	for (i = 0; i < want->ngroups && rc == 0; i++) {
		if (sync_stopping(p, err, errlen) == -1)
			return -1;
		if (dn_child(p->ou, "CN", want->groups[i].name, &dn) == -1) {
			(void)xsnprintf(err, errlen, "cannot build the DN of "
			    "group %s", want->groups[i].name);
			return -1;
		}
		dn_set_add(wanted, dn);
		rc = sync_group(d, own, dn, &want->groups[i], p, st, err,
		    errlen);
	}
	owned = own_list(own, OWN_GROUP, &n);
	for (i = 0; i < n && rc == 0; i++) {
		HASH_FIND_STR(*wanted, owned[i], e);
		if (e == NULL)
			rc = sync_group_gone(d, own, p, owned[i], st, err,
			    errlen);
	}
	free(owned);
	return rc;
}

int
sync_apply(struct dir *d, struct own *own, const struct sync_params *p,
    const struct model_desired *want, struct sync_stats *st, char *err,
    size_t errlen)
{
	struct dn_set *wanted = NULL;
	char err2[256];
	int rc;

	memset(st, 0, sizeof(*st));
	rc = sync_nodes(d, own, p, want, &wanted, st, err, errlen);
	if (rc == 0)
		rc = sync_groups(d, own, p, want, &wanted, st, err, errlen);
	dn_set_free(&wanted);
	if (own_save(own, err2, sizeof(err2)) == -1) {
		if (rc == 0)
			(void)xstrlcpy(err, err2, errlen);
		rc = -1;
	}
	return rc;
}
