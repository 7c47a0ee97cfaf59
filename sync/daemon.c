/*
 * daemon.c - one pass of vmgroupd, and what it keeps between passes.
 */
#include "config.h"

#include <errno.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon.h"
#include "intake.h"
#include "dn.h"
#include "dnsrec.h"
#include "lock.h"
#include "log.h"
#include "spool.h"
#include "state.h"
#include "status.h"
#include "sync.h"
#include "xmem.h"
#include "zone.h"
#include "zonescan.h"

#define DAEMON_TRIM_FILES 1024	/* a pass of as many files: heap trimmed */

/* Asks a pass to stop between two writes (SIGTERM); NULL: never. */
static int (*daemon_stop_fn)(void);


static int
daemon_state_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		(void)xsnprintf(err, errlen, "state folder %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		(void)xsnprintf(err, errlen, "state folder %s: not a folder",
		    dir);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		(void)xsnprintf(err, errlen, "state folder %s is world-"
		    "writable; chmod o-w it", dir);
		return -1;
	}
	return 0;
}

/* Kept registrations that [daemon] networks now refuses are not
 * published again (the setting may be new since they were accepted). */
static void
daemon_drop_outside(struct daemon *dm)
{
	struct model_reg *r, *tmp;
	struct event ev;
	char why[256];

	/* no networks set: every address allowed (and 10,000 events made
	 * only to be let through took ~13 ms of a start) */
	if (dm->conf.networks.n == 0)
		return;
	HASH_ITER(hh, dm->regs.by_vm, r, tmp) {
		state_reg_event(r, &ev);
		if (conf_event_allowed(&dm->conf, &ev, why, sizeof(why)) == 0)
			continue;
		log_warnx("kept registration of VM %s dropped, not published: "
		    "%s", r->vm, why);
		model_regs_drop(&dm->regs, r);
		state_changed(&dm->state);
	}
}

int
daemon_folders(const struct conf *c, char *err, size_t errlen)
{
	return spool_init(c->spool, err, errlen) == -1 ||
	    daemon_state_dir(c->state_dir, err, errlen) == -1 ? -1 : 0;
}

int
daemon_open(struct daemon *dm, const struct conf *c, int warm, char *err,
    size_t errlen)
{
	struct stateload_tick tick = { zonescan_warm_tick, dm };
	struct dir_params dp;
	size_t bad;

	memset(dm, 0, sizeof(*dm));
	dm->conf = *c;
	agenda_init(&dm->agenda);
	/* the first pass is a full reconcile */
	agenda_set(&dm->agenda, AGENDA_FULL, agenda_now());
	model_regs_init(&dm->regs);
	dm->regs.released.hold = (int64_t)c->max_lease;
	if (daemon_folders(c, err, errlen) == -1)
		return -1;
	if (conf_state_path(c, CONF_STATE_REGS, dm->regs_path,
	    sizeof(dm->regs_path)) == -1 || conf_state_path(c,
	    CONF_STATE_OWNED, dm->own_path, sizeof(dm->own_path)) == -1 ||
	    conf_state_path(c, CONF_STATE_STATUS, dm->status_path,
	    sizeof(dm->status_path)) == -1) {
		(void)xsnprintf(err, errlen, "state folder path too long");
		return -1;
	}
	if (own_load(&dm->own, dm->own_path, err, errlen) == -1 ||
	    krb_init(&dm->krb, c->keytab, c->principal, err, errlen) == -1)
		return -1;
	conf_dir_params(&dm->conf, &dp);
	dir_init(&dm->dir, &dp);
	if (warm)
		zonescan_warm_start(dm);
	if (state_open_ticking(&dm->state, dm->regs_path, &dm->regs,
	    warm ? &tick : NULL, &bad, err, errlen) == -1)
		return -1;
	if (warm)
		zonescan_warm_finish(dm);
	daemon_drop_outside(dm);
	log_info("loaded %zu registration%s, %zu release record%s and %zu "
	    "owned node%s", model_regs_count(&dm->regs),
	    model_regs_count(&dm->regs) == 1 ? "" : "s",
	    release_count(&dm->regs.released),
	    release_count(&dm->regs.released) == 1 ? "" : "s",
	    own_count(&dm->own, OWN_NODE),
	    own_count(&dm->own, OWN_NODE) == 1 ? "" : "s");
	return 0;
}

void
daemon_close(struct daemon *dm)
{
	char err[512];

	if (own_flush(&dm->own, err, sizeof(err)) == -1)
		log_warnx("%s (the journal beside it keeps the changes)", err);
	if (dm->one_pass) {
		/* the process ends next (vmgroupd.c exits from main, where dm
		 * is): its memory goes with it, 10,000 VMs' worth unfreed */
		dir_close(&dm->dir);
		state_close(&dm->state);
		return;
	}
	cache_clear(&dm->cache);
	scope_reps_clear(&dm->reps);
	view_clear(&dm->view);
	zonescan_warm_forget(dm);
	group_view_clear(&dm->gview);
	claims_free(&dm->claims);
	dir_close(&dm->dir);
	krb_free(&dm->krb);
	own_free(&dm->own);
	state_close(&dm->state);
	model_regs_free(&dm->regs);
}

void
daemon_replace(struct daemon *dm, struct daemon *next)
{
	struct dir_params dp;

	next->spool_lock = dm->spool_lock;
	next->state_lock = dm->state_lock;
	daemon_close(dm);
	*dm = *next;
	/* the session points into the configuration and the credential,
	 * which just moved (it is not connected yet) */
	conf_dir_params(&dm->conf, &dp);
	dir_init(&dm->dir, &dp);
	memset(next, 0, sizeof(*next));
}

time_t
daemon_next_expiry(struct daemon *dm)
{
	const struct model_reg *r;
	time_t next = 0;

	if (dm->expiry_known)
		return dm->expiry_at;
	for (r = dm->regs.by_vm; r != NULL; r = r->hh.next)
		if (r->expires != 0 && (next == 0 || r->expires < next))
			next = (time_t)r->expires;
	dm->expiry_at = next;
	dm->expiry_known = 1;
	return next;
}

void
daemon_expiry_note(struct daemon *dm, const struct model_reg *r)
{
	if (dm->expiry_known && r->expires != 0 &&
	    (dm->expiry_at == 0 || r->expires < dm->expiry_at))
		dm->expiry_at = (time_t)r->expires;
}

/* Leases end (and release records with them) when the earliest known end
 * has come, or at a full pass: not a walk of every registration each
 * pass.  How many registrations ended. */
static size_t
daemon_expire(struct daemon *dm, time_t now)
{
	time_t next = daemon_next_expiry(dm);
	size_t n;

	if (!dm->full && (next == 0 || next > now))
		return 0;
	intake_note_expiring(dm, now);
	n = state_expire(&dm->state, &dm->regs, now);
	dm->expiry_known = 0;
	return n;
}

void
daemon_set_stop(int (*fn)(void))
{
	daemon_stop_fn = fn;
}

static int
daemon_stopping(void)
{
	return daemon_stop_fn != NULL && daemon_stop_fn();
}

/* A failed pass: the retry waits a backoff counted from now, the end of
 * the failed attempt (not from now_start, when the pass began), capped
 * at backoff_max and jittered (agenda.c).  A stop asked for ends here. */
static void
daemon_backoff(struct daemon *dm, time_t now_start, const char *what,
    const char *err)
{
	int64_t delay;

	(void)now_start;
	cache_clear(&dm->cache);	/* read everything next time */
	scope_reps_clear(&dm->reps);
	view_clear(&dm->view);
	zonescan_warm_forget(dm);
	group_view_clear(&dm->gview);
	/* what the failed pass changed is known only to a full pass */
	agenda_set(&dm->agenda, AGENDA_FULL, agenda_now());
	claims_unverify(&dm->claims);
	if (daemon_stopping()) {
		log_warnx("pass stopped by a signal (%s: %s); what was not "
		    "written stays in the spool for the next pass", what, err);
		return;
	}
	delay = agenda_fail(&dm->agenda, agenda_now(), dm->conf.backoff_max);
	log_warnx("%s: %s; retrying in %lld.%lld s (nothing is lost: the "
	    "spool keeps the events)", what, err, (long long)(delay / 1000),
	    (long long)(delay % 1000 / 100));
}

/* The pass succeeded: the next full reconcile, and the end of a run of
 * failures said once. */
static void
daemon_synced(struct daemon *dm)
{
	int64_t now = agenda_now(), since = dm->agenda.failing_since;
	unsigned failed;

	failed = agenda_ok(&dm->agenda, now);
	if (failed > 0)
		log_info("the directory holds the desired state again, after "
		    "%u failed attempt%s over %lld s", failed, failed == 1 ?
		    "" : "s", (long long)((now - since) / 1000));
	if (dm->full)
		agenda_set(&dm->agenda, AGENDA_FULL,
		    now + (int64_t)dm->conf.reconcile_interval * 1000);
}

void
daemon_plan(struct daemon *dm)
{
	int64_t now = agenda_now(), wall = agenda_wall_ms();

	agenda_set_wall(&dm->agenda, AGENDA_LEASE, daemon_next_expiry(dm), now,
	    wall);
	agenda_set_wall(&dm->agenda, AGENDA_RENEW,
	    krb_renew_at(&dm->krb, dm->conf.renew_margin), now, wall);
}

/* renew_margin longer than half the tickets' life: said once. */
static void
daemon_margin_note(struct daemon *dm)
{
	unsigned want = dm->conf.renew_margin;
	unsigned got = krb_margin(&dm->krb, want);

	if (got == want || dm->krb.margin_said)
		return;
	dm->krb.margin_said = 1;
	log_warnx("renew_margin = %u s, but the KDC gives tickets for %lld s: "
	    "renewing them %u s before they end instead (half their life), "
	    "not on every pass", want,
	    (long long)(dm->krb.endtime - dm->krb.starttime), got);
}

int
daemon_connect(struct daemon *dm, time_t now, char *err, size_t errlen)
{
	if (krb_stale(&dm->krb, now, dm->conf.renew_margin)) {
		if (krb_acquire(&dm->krb, err, errlen) == -1)
			return -1;
		log_info("got a Kerberos ticket for %s from %s, valid until "
		    "%lld", dm->krb.principal, dm->krb.keytab,
		    (long long)dm->krb.endtime);
		daemon_margin_note(dm);
		dir_close(&dm->dir);	/* rebind with the new credential */
	}
	if (dm->dir.ld != NULL)
		return 0;
	if (dir_open(&dm->dir, err, errlen) == -1)
		return -1;
	log_info("connected to %s as %s (SASL SSF %u)", dir_uri(&dm->dir),
	    dm->dir.authzid, dm->dir.ssf);
	return 0;
}

/* This pass is a full reconcile (everything read again): decided when
 * it starts, from the agenda's deadline. */
static int
daemon_full_due(const struct daemon *dm, time_t now)
{
	(void)now;
	return dm->full;
}

/* The names this host's VMs and groups point at: refuse new registrations
 * of names held by others, withhold the rest (claim.h).  The look-ups are
 * answered by the forward zone's scan in a full pass, by searches else. */
static int
daemon_claims(struct daemon *dm, struct model_config *cfg, time_t now,
    struct intake *b, char *err, size_t errlen)
{
	struct claim_ctx cx = { .dir = &dm->dir, .own = &dm->own,
	    .base = dm->conf.base, .partition = dm->conf.partition,
	    .full = daemon_full_due(dm, now),
	    .scope = dm->scoped ? &dm->scope : NULL };

	cfg->withheld = claims_withheld;
	cfg->withheld_ctx = &dm->claims;
	if (claims_begin(&dm->claims, &cx, &dm->regs, cfg, now, err,
	    errlen) == -1 ||
	    zonescan_read(dm, cfg, cx.full, err, errlen) == -1 ||
	    claims_end(&dm->claims, &cx, cx.full, err, errlen) == -1)
		return -1;
	intake_refuse_foreign(dm, b);
	if (claims_changed(&dm->claims))
		dm->scoped = 0;	/* what a name's owner change touches: all */
	claims_report(&dm->claims, cfg->zone);
	return 0;
}

static int daemon_sync(struct daemon *dm, time_t now, struct intake *b,
    struct sync_stats *st, char *err, size_t errlen);

/* A patched group the directory did not hold as the view said: what it
 * holds is known again only by a full pass, made at once. */
static int
daemon_resync(struct daemon *dm, time_t now, struct intake *b,
    struct sync_stats *st, char *err, size_t errlen)
{
	log_info("%s; a full reconcile follows at once", err);
	cache_clear(&dm->cache);
	scope_reps_clear(&dm->reps);
	view_clear(&dm->view);
	zonescan_warm_forget(dm);	/* a scan cut closes the connection */
	group_view_clear(&dm->gview);
	dm->full = 1;
	dm->scoped = 0;
	if (daemon_connect(dm, now, err, errlen) == -1)
		return -1;
	return daemon_sync(dm, now, b, st, err, errlen);
}

/* A full pass's later parts (model_config.nparts). */
struct daemon_part {
	const struct model_regs *regs;
	struct model_config cfg;
	time_t now;
};

static int
daemon_part(void *ctx, unsigned k, struct model_desired *out, char *err,
    size_t errlen)
{
	struct daemon_part *dp = ctx;

	dp->cfg.part = k;
	return model_desired(dp->regs, &dp->cfg, dp->now, out, err, errlen);
}

/* Compute the desired state with the zones' serials and write it. */
static int
daemon_sync(struct daemon *dm, time_t now, struct intake *b,
    struct sync_stats *st, char *err, size_t errlen)
{
	struct model_config cfg = dm->conf.model;
	struct sync_params sp = { .base = dm->conf.base,
	    .partition = dm->conf.partition, .ou = dm->conf.ou, .now = now,
	    .host = dm->conf.model.host,
	    .cache = dm->one_pass ? NULL : &dm->cache,
	    .full = daemon_full_due(dm, now),
	    .view = &dm->view, .gview = &dm->gview, .stop = daemon_stop_fn };
	struct model_desired want;
	struct daemon_part part;
	int rc;

	if (daemon_claims(dm, &cfg, now, b, err, errlen) == -1)
		return -1;
	cfg.timestamp = dm->conf.aging ? dnsrec_timestamp_hours(now) : 0;
	if (!dm->scoped)	/* a whole build: never all nodes at once */
		cfg.nparts = (unsigned)(model_regs_count(&dm->regs) /
		    MODEL_PART_VMS) + 1;
	part = (struct daemon_part){ &dm->regs, cfg, now };
	sp.nparts = cfg.nparts;
	sp.part = daemon_part;
	sp.part_ctx = &part;
	if (dm->scoped) {
		struct sync_patch_ctx pc = { &sp, &dm->own, cfg.zone };

		cfg.only = scope_only;
		cfg.only_full = scope_only_full;
		cfg.only_ctx = &dm->scope;
		cfg.patch = scope_patch;
		cfg.pick = scope_pick;
		scope_begin(&dm->scope, &cfg, &dm->reps, now);
		/* with aging each record carries the hour it was written: a
		 * patch could not find the older ones, so groups are rebuilt */
		if (!dm->conf.aging)
			scope_plan(&dm->scope, sync_patchable, &pc);
		sp.scope = &dm->scope;
	}
	if (model_desired(&dm->regs, &cfg, now, &want, err, errlen) == -1)
		return -1;
	if (dm->scoped) {
		log_debug("pass scoped to %u VM(s): %s", HASH_COUNT(dm->scope.vms),
		    dm->scope.picked ? "built from those and one member of "
		    "each group" : "built from a walk of every registration");
		scope_end(&dm->scope);
		scope_filter(&dm->scope, &want);
	} else
		scope_reps_clear(&dm->reps);	/* a full pass notes nothing */
	rc = sync_apply(&dm->dir, &dm->own, &sp, &want, st, err, errlen);
	model_desired_free(&want);
	if (rc == -1 && st->stale > 0 && dm->scoped && !daemon_stopping() &&
	    dir_error(&dm->dir) != DIR_LOST)	/* lost: the backoff's */
		return daemon_resync(dm, now, b, st, err, errlen);
	return rc;
}

/* What the pass could not publish: logged when it changes, saved for
 * `vmgroup status`, looked at again after the rescan interval.  The number
 * of things missing. */
static size_t
daemon_status(struct daemon *dm, time_t now, const struct sync_stats *st)
{
	const struct claim **cs;
	struct status_report rep;
	char fqdn[NAME_FQDN_BUF];
	size_t i, n, missing;

	status_init(&rep, now);
	cs = claims_conflicts(&dm->claims, &n);
	for (i = 0; i < n; i++)
		if (name_fqdn(cs[i]->name, dm->conf.model.zone, fqdn) == 0)
			status_add(&rep, cs[i]->kind == CLAIM_VM ? STATUS_VM :
			    STATUS_GROUP, fqdn);
	free(cs);
	for (i = 0; i < st->nforeign; i++)
		status_add(&rep, STATUS_NODE, st->foreign_names[i]);
	for (i = 0; i < st->nforeign_groups; i++)
		status_add(&rep, STATUS_OBJECT, st->foreign_groups[i]);
	status_publish(&rep, dm->status_path, &dm->status);
	missing = rep.n;
	status_free(&rep);
	agenda_set(&dm->agenda, AGENDA_RECHECK, missing == 0 ? 0 :
	    agenda_now() + (int64_t)dm->conf.rescan_interval * 1000);
	return missing;
}

static void
daemon_report(const struct sync_stats *st, size_t expired)
{
	if (st->added + st->changed + st->tombstoned + st->revived +
	    st->groups_added + st->groups_changed + st->groups_deleted +
	    expired == 0)
		return;
	log_info("pass done: %zu node(s) created, %zu updated, %zu "
	    "tombstoned, %zu revived, %zu unchanged, %zu not read again; "
	    "group objects %zu created, %zu updated, %zu deleted; %zu "
	    "lease(s) expired", st->added, st->changed, st->tombstoned,
	    st->revived, st->unchanged, st->cached, st->groups_added,
	    st->groups_changed, st->groups_deleted, expired);
}

/* Both folders still ours: a folder made again loses its lock file, and
 * it is locked again here; if another vmgroupd got there first, this one
 * cannot serve that folder and two must not: it stops (the spool keeps
 * the events; started again, it is refused while the other runs). */
static void
daemon_keep_locks(struct daemon *dm)
{
	struct lock *l[2] = { dm->spool_lock, dm->state_lock };
	size_t i;

	for (i = 0; i < 2; i++)
		if (l[i] != NULL && lock_keep(l[i]) == -1)
			fatalx("the %s was made again while vmgroupd ran, and "
			    "another vmgroupd serves it now; stopping",
			    l[i]->what);
}

int
daemon_cycle(struct daemon *dm, time_t now)
{
	struct intake b;
	struct sync_stats st;
	char err[512];
	size_t expired;
	int rc = -1, listed;

	daemon_keep_locks(dm);
	dm->full = agenda_passed(&dm->agenda, AGENDA_FULL, agenda_now());
	dm->scoped = !dm->full;
	scope_init(&dm->scope, &dm->conf.model);
	/* an unlistable spool holds nothing to read: leases still end */
	listed = intake_read(dm, &b);
	intake_odd_names(dm);
	expired = daemon_expire(dm, now);
	intake_note_evicted(dm);
	if (agenda_waiting(&dm->agenda, agenda_now()))
		goto out;
	if (daemon_connect(dm, now, err, sizeof(err)) == -1) {
		daemon_backoff(dm, now, "directory unreachable", err);
		goto out;
	}
	if (daemon_sync(dm, now, &b, &st, err, sizeof(err)) == -1) {
		daemon_backoff(dm, now, "directory update failed", err);
		goto out;
	}
	if (state_commit(&dm->state, &dm->regs, err, sizeof(err)) == -1) {
		daemon_backoff(dm, now, "saving registrations", err);
		goto out;
	}
	intake_ack(dm, &b);
	daemon_report(&st, expired);
	daemon_synced(dm);
	rc = daemon_status(dm, now, &st) > 0 ? 1 : 0;
	if (listed == -1)
		rc = -1;
out:
	scope_free(&dm->scope);
#ifdef HAVE_MALLOC_TRIM
	/* a big pass (a full reconcile, a storm) leaves free heap: give it
	 * back to the system while the daemon waits */
	if (dm->full || b.n >= DAEMON_TRIM_FILES)
		(void)malloc_trim(0);
#endif
	intake_free(&b);
	return rc;
}
