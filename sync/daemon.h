/*
 * daemon.h - one pass of vmgroupd: spool -> registrations -> directory.
 *
 * A pass reads every new spool file (a bad one is quarantined with its
 * reason), applies the events in arrival order, drops expired leases, and
 * makes the directory hold the desired state with one write per changed
 * object, however many events led to it.  Only then are the registrations
 * saved and the spool files removed, so a crash at any point replays the
 * same files and converges to the same state (at least once, idempotent).
 */
#ifndef VMG_DAEMON_H
#define VMG_DAEMON_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "agenda.h"
#include "claim.h"
#include "conf.h"
#include "dir.h"
#include "krb.h"
#include "lock.h"
#include "model.h"
#include "group.h"
#include "own.h"
#include "scope.h"
#include "view.h"
#include "spoolscan.h"
#include "state.h"
#include "status.h"
#include "sync.h"
#include "zonescan.h"

#define DAEMON_ODD_SAID 64

struct daemon {
	struct conf conf;
	struct krb krb;
	struct dir dir;
	struct own own;
	struct model_regs regs;
	struct state_store state;	/* their snapshot and journal */
	char regs_path[PATH_MAX];
	char own_path[PATH_MAX];
	struct agenda agenda;		/* every deadline: retry, rescan ... */
	int full;			/* this pass is a full reconcile */
	struct cache cache;		/* what passes since then verified */
	int one_pass;			/* --once: no pass follows, so no
					 * cache is kept for one, and
					 * daemon_close frees nothing the
					 * process's end frees */
	struct view view;		/* what the directory holds (view.h) */
	struct group_view gview;	/* its group objects (group.h) */
	uint32_t serial;		/* the zones' serials, from the last
					 * full reconcile */
	uint32_t revserials[MODEL_MAX_REVZONES];
	struct scope scope;		/* what this pass touches (scope.h) */
	struct scope_reps reps;		/* a member of each group (scope.h) */
	int scoped;			/* this pass is limited to it */
	int expiry_known;		/* expiry_at is a lower bound of every
					 * lease end (0: no lease ends) */
	time_t expiry_at;
	struct claims claims;		/* our names held by others */
	char status_path[PATH_MAX];	/* what the last pass could not do */
	struct status_last status;	/* the last report published */
	size_t evicted_logged;		/* release records said dropped */
	uint64_t odd_said[DAEMON_ODD_SAID];	/* odd spool names logged */
	size_t nodd_said;
	struct lock *spool_lock;	/* held by the caller; NULL: none */
	struct lock *state_lock;
	struct spoolscan scan;		/* the spool's listings */
	struct zonescan_warm warm;	/* zones read at start-up */
};

/* The spool and the state folder made (if missing) and checked: the
 * caller locks them before daemon_open does any work. */
int daemon_folders(const struct conf *c, char *err, size_t errlen);
/* Load what the state folder keeps; warm (the first start, not a
 * reload): connect and read the reverse zones meanwhile (zonescan.h). */
int daemon_open(struct daemon *dm, const struct conf *c, int warm, char *err,
    size_t errlen);
/* Fresh credentials before they end; a connection bound with them. */
int daemon_connect(struct daemon *dm, time_t now, char *err, size_t errlen);
void daemon_close(struct daemon *dm);
/* Replace the running dm by next (opened with daemon_open): dm is closed,
 * next moved into it (the locks stay those of dm). */
void daemon_replace(struct daemon *dm, struct daemon *next);
/* One pass at time now.  0: the directory holds the desired state; 1: it
 * holds all of it that vmgroupd may write, but something wanted is held by
 * another (named in the log and in <state_dir>/status.json); -1: a
 * directory or Kerberos failure, retried at the agenda's retry deadline
 * (nothing lost), or the spool could not be listed, or a stop was asked
 * for (daemon_set_stop). */
int daemon_cycle(struct daemon *dm, time_t now);
/* After a pass: the deadlines it moved (lease end, ticket renewal). */
void daemon_plan(struct daemon *dm);
/* fn() true asks a pass to stop between two directory writes, leaving
 * in the spool whatever it has not written (SIGTERM). */
void daemon_set_stop(int (*fn)(void));
/* The earliest lease end among the registrations, 0 if none. */
time_t daemon_next_expiry(struct daemon *dm);
/* r's lease may end before the known next end. */
void daemon_expiry_note(struct daemon *dm, const struct model_reg *r);

#endif
