/*
 * zonescan.c - a full reconcile's reads of the zones, the reverse ones
 * begun at start-up while the registrations load.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "dn.h"
#include "log.h"
#include "ownproof.h"
#include "xmem.h"
#include "zone.h"
#include "zonescan.h"

static int
zonescan_node(void *ctx, const char *name, const struct dir_node *n,
    char *err, size_t errlen)
{
	struct zonescan_ctx *z = ctx;

	if (strcmp(name, "@") == 0 && zone_serial_node(n, z->serial) == 0)
		z->got = 1;
	return z->claims == NULL ? 0 :
	    claims_scan_node(z->claims, name, n, err, errlen);
}

/* The DN of zone i (0: the forward zone, else reverse zone i - 1). */
static int
zonescan_dn(const struct daemon *dm, const struct model_config *cfg,
    size_t i, char **zdn, char *err, size_t errlen)
{
	const char *zone = i == 0 ? cfg->zone : cfg->revzones[i - 1];

	if (dn_zone(dm->conf.base, dm->conf.partition, zone, zdn) == 0)
		return 0;
	(void)xsnprintf(err, errlen, "zone %s: cannot build its DN", zone);
	return -1;
}

/* Each zone read with one paged scan (those read at start-up kept). */
static int
zonescan_all(struct daemon *dm, struct model_config *cfg, char *err,
    size_t errlen)
{
	struct zonescan_warm *w = &dm->warm;
	struct zonescan_ctx z;
	char *zdn = NULL;
	size_t i;
	int rc = 0;

	group_view_clear(&dm->gview);	/* read them all again */
	for (i = 0; rc == 0 && i <= cfg->nrevzones; i++) {
		if (i > 0 && w->read[i - 1]) {
			cfg->revserials[i - 1] = w->serials[i - 1];
			continue;
		}
		z = (struct zonescan_ctx){ i == 0 ? &dm->claims : NULL,
		    i == 0 ? &cfg->serial : &cfg->revserials[i - 1], 0 };
		if (zonescan_dn(dm, cfg, i, &zdn, err, errlen) == -1)
			return -1;
		rc = view_load_zone(&dm->view, &dm->dir, &dm->own,
		    dm->conf.model.host, zdn, zonescan_node, &z, err, errlen);
		if (rc == 0 && !z.got) {
			(void)xsnprintf(err, errlen, "zone %s: no SOA record "
			    "at DC=@,%s (does the zone exist, may we read it?)",
			    i == 0 ? cfg->zone : cfg->revzones[i - 1], zdn);
			rc = -1;
		}
		free(zdn);
	}
	return rc;
}

/* The DN's node read with its owner: 1 if the service account owns it
 * (live, its owner value naming host), 0 if not, -1 (err) on a failure. */
static int
zonescan_proved(struct daemon *dm, const char *dn, struct dir_node *n,
    char *err, size_t errlen)
{
	if (dir_node_read(&dm->dir, dn, n, err, errlen) == -1)
		return -1;
	return ownproof_scan(n, 0, dm->conf.model.host) == 1;
}

/* What the scans left to the owners (view.h): the nodes whose owner
 * value names this host and that the ownership record lacks (a host
 * rebuilt from scratch) are taken into it once a read shows the service
 * account owns them; the replication-conflict copies of this host's nodes
 * so proved are deleted.  After a failover, a node created on a DC that
 * fell before it replicated may be created again on the next one;
 * replication then keeps one and renames the other: the copy was never
 * published under its name (deleted, not tombstoned).  -1 when the
 * connection is lost (the next full pass finds them again). */
static int
zonescan_owners(struct daemon *dm, char *err, size_t errlen)
{
	struct view *v = &dm->view;
	struct dir_node n;
	size_t i;
	int rc = 0, p;

	for (i = 0; rc == 0 && i < v->nverify; i++) {
		p = zonescan_proved(dm, v->verify[i], &n, err, errlen);
		if (p == 1) {
			log_info("taking %s into the ownership record: the "
			    "directory says it is this host's", v->verify[i]);
			own_add(&dm->own, OWN_NODE, v->verify[i]);
			view_put_node(v, v->verify[i], &n);
		}
		dir_node_free(&n);
		rc = p == -1 ? -1 : 0;
	}
	for (i = 0; rc == 0 && i < v->ncnf; i++) {
		p = zonescan_proved(dm, v->cnf[i], &n, err, errlen);
		dir_node_free(&n);
		if (p == 1 && dir_group_delete(&dm->dir, v->cnf[i], err,
		    errlen) == 0)
			log_info("deleted %s: a replication-conflict copy of a "
			    "node of this host's", v->cnf[i]);
		else if (p == -1 || (p == 1 && dir_error(&dm->dir) == DIR_LOST))
			rc = -1;
		else if (p == 1)
			log_warnx("cannot delete the replication-conflict "
			    "copy %s: %s", v->cnf[i], err);
	}
	view_dns_free(&v->verify, &v->nverify);
	view_dns_free(&v->cnf, &v->ncnf);
	return rc;
}

int
zonescan_read(struct daemon *dm, struct model_config *cfg, int full,
    char *err, size_t errlen)
{
	int rc;

	if (!full) {
		cfg->serial = dm->serial;
		memcpy(cfg->revserials, dm->revserials,
		    sizeof(cfg->revserials));
		return 0;
	}
	rc = zonescan_all(dm, cfg, err, errlen);
	zonescan_warm_forget(dm);	/* once */
	if (rc == -1 || zonescan_owners(dm, err, errlen) == -1)
		return -1;
	dm->serial = cfg->serial;
	memcpy(dm->revserials, cfg->revserials, sizeof(dm->revserials));
	return 0;
}

/* Ask for reverse zone w->at's first page, or go on to the next zone. */
static void
warm_next(struct daemon *dm)
{
	struct zonescan_warm *w = &dm->warm;
	const struct model_config *cfg = &dm->conf.model;
	char err[256], *zdn = NULL;

	for (; w->at < cfg->nrevzones && w->at < MODEL_MAX_REVZONES;
	    w->at++) {
		if (zonescan_dn(dm, cfg, w->at + 1, &zdn, err,
		    sizeof(err)) == -1)
			continue;
		w->z = (struct zonescan_ctx){ NULL, &w->serial, 0 };
		view_load_start(&w->load, &dm->view, &dm->dir, &dm->own,
		    dm->conf.model.host, zdn, zonescan_node, &w->z);
		free(zdn);
		w->loading = 1;
		return;
	}
}

/* Take what has come (wait: until the zone is read); a zone read whole
 * is noted and the next one begun. */
static void
warm_step(struct daemon *dm, int wait)
{
	struct zonescan_warm *w = &dm->warm;
	char err[512];
	int rc;

	while (w->loading) {
		rc = view_load_step(&w->load, wait, err, sizeof(err));
		if (rc == 1)
			return;
		view_load_end(&w->load);
		w->loading = 0;
		if (rc == 0 && w->z.got) {
			w->read[w->at] = 1;
			w->serials[w->at] = w->serial;
		} else if (rc == -1) {
			log_debug("reading zone %s at start-up: %s (the first "
			    "pass reads it)", dm->conf.model.revzones[w->at],
			    err);
			if (dir_rc_is_connection(dir_last_rc(&dm->dir))) {
				dir_close(&dm->dir);	/* the pass's */
				return;
			}
		}
		w->at++;
		warm_next(dm);
	}
}

void
zonescan_warm_start(struct daemon *dm)
{
	char err[512];

	memset(&dm->warm, 0, sizeof(dm->warm));
	if (dm->conf.model.nrevzones == 0)
		return;
	if (daemon_connect(dm, time(NULL), err, sizeof(err)) == -1) {
		log_debug("not connected at start-up: %s", err);
		return;
	}
	warm_next(dm);
}

void
zonescan_warm_tick(void *ctx)
{
	warm_step(ctx, 0);
}

void
zonescan_warm_finish(struct daemon *dm)
{
	warm_step(dm, 1);
}

void
zonescan_warm_forget(struct daemon *dm)
{
	struct zonescan_warm *w = &dm->warm;

	if (w->loading)
		view_load_end(&w->load);
	memset(w, 0, sizeof(*w));
}
