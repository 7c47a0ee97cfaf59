/*
 * intake.c - the daemon's spool intake: each pass's files read, checked
 * and applied to the registrations (noted in the pass's scope and the
 * state journal), the refused ones quarantined, and, once the directory
 * and the state files hold their effect, removed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "log.h"
#include "spool.h"
#include "state.h"
#include "xmem.h"

/* 1 if the odd name was said before (FNV-1a of its bytes, the last
 * DAEMON_ODD_SAID remembered), else remember it and 0. */
static int
intake_odd_said(struct daemon *dm, const char *raw)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; raw[i] != '\0'; i++)
		h = (h ^ (unsigned char)raw[i]) * 0x100000001b3ULL;
	for (i = 0; i < dm->nodd_said && i < DAEMON_ODD_SAID; i++)
		if (dm->odd_said[i] == h)
			return 1;
	dm->odd_said[dm->nodd_said++ % DAEMON_ODD_SAID] = h;
	return 0;
}

/* Files in new/ that are never read for their names (newlines, escapes,
 * non-ASCII, over SPOOL_NAME_MAX characters): quarantined under a plain
 * name, each logged once, quoted.  Listed only when the pass's listing
 * left some out (a folder that once held many files costs a listing). */
void
intake_odd_names(struct daemon *dm)
{
	char **names, quoted[200], q[256];
	size_t i, n;

	if (dm->scan.odd == 0)
		return;
	if (spool_list_odd(dm->conf.spool, &names, &n) == -1)
		return;		/* the pass's own listing says why */
	for (i = 0; i < n; i++) {
		name_quote(names[i], quoted, sizeof(quoted));
		if (spool_quarantine_odd(dm->conf.spool, names[i], q,
		    sizeof(q)) == 0)
			log_warnx("spool file \"%s\" quarantined as %s: its "
			    "name is not plain (over %d characters, or not "
			    "printable ASCII), so it is never read", quoted, q,
			    SPOOL_NAME_MAX);
		else if (!intake_odd_said(dm, names[i]))
			log_warn("spool file \"%s\" is never read (its name "
			    "is not plain) and cannot be quarantined", quoted);
	}
	spool_list_free(names, n);
}

void
intake_free(struct intake *b)
{
	spool_list_free(b->names, b->n);
	free(b->vms);
	memset(b, 0, sizeof(*b));
}

static int
intake_list(struct daemon *dm, char ***names, size_t *n)
{
	return spoolscan_list(&dm->scan, dm->conf.spool,
	    dm->conf.rescan_interval, &dm->agenda, names, n);
}

int
intake_spool_pending(struct daemon *dm)
{
	char **names = NULL;
	size_t n = 0;

	if (intake_list(dm, &names, &n) == -1)
		return -1;
	spool_list_free(names, n);
	return n > (size_t)INT_MAX ? INT_MAX : (int)n;
}

/* Note in the pass's scope the registration of vm as it is now. */
static void
intake_note(struct daemon *dm, const char *vm)
{
	struct model_reg *r;

	HASH_FIND_STR(dm->regs.by_vm, vm, r);
	if (r == NULL)
		return;
	if (dm->scoped)		/* a full pass looks at everything anyway */
		scope_note(&dm->scope, r);
	daemon_expiry_note(dm, r);
}

/* Note the registrations whose lease ends now (before they go). */
void
intake_note_expiring(struct daemon *dm, time_t now)
{
	const struct model_reg *r;

	for (r = dm->regs.by_vm; dm->scoped && r != NULL; r = r->hh.next)
		if (r->expires != 0 && r->expires <= now)
			scope_note(&dm->scope, r);
}

/* Read and apply every new spool file; quarantine the bad ones.  -1: the
 * spool cannot be listed (said by spoolscan_list). */
int
intake_read(struct daemon *dm, struct intake *b)
{
	char why[256];
	struct event ev;
	size_t i, n = 0;

	memset(b, 0, sizeof(*b));
	if (intake_list(dm, &b->names, &b->n) == -1)
		return -1;
	b->vms = xcalloc(b->n + 1, sizeof(*b->vms));
	for (i = 0; i < b->n; i++) {
		if (spool_read_event(dm->conf.spool, b->names[i], &ev, why,
		    sizeof(why)) == -1 ||
		    conf_event_allowed(&dm->conf, &ev, why, sizeof(why)) == -1) {
			log_warnx("spool file %s quarantined: %s", b->names[i],
			    why);
			if (spool_quarantine(dm->conf.spool, b->names[i],
			    why) == -1)
				log_warn("cannot quarantine %s", b->names[i]);
			free(b->names[i]);
			continue;
		}
		intake_note(dm, ev.vm);
		state_note(&dm->state, &dm->regs, &ev,
		    model_apply(&dm->regs, &ev));
		intake_note(dm, ev.vm);
		(void)xstrlcpy(b->vms[n], ev.vm, NAME_LABEL_BUF);
		b->names[n++] = b->names[i];
	}
	b->n = n;
	return 0;
}

/* Release records dropped at the cap: said once per batch of them. */
void
intake_note_evicted(struct daemon *dm)
{
	size_t n = dm->regs.released.evicted - dm->evicted_logged;

	if (n == 0)
		return;
	log_warnx("%zu release record%s dropped: more than %d kept; the "
	    "oldest go first, and a late event older than their release "
	    "could bring those VMs back", n, n == 1 ? "" : "s", RELEASE_MAX);
	dm->evicted_logged = dm->regs.released.evicted;
}

/* Registrations in this batch of a VM whose name is a node held by
 * another are refused: the files quarantined, the registration dropped. */
void
intake_refuse_foreign(struct daemon *dm, struct intake *b)
{
	char (*gone)[NAME_LABEL_BUF] = xcalloc(b->n + 1, sizeof(*gone));
	struct model_reg *r;
	size_t i, ngone = 0;

	for (i = 0; i < b->n; i++) {
		if (b->vms[i][0] == '\0' ||
		    !claims_withheld(&dm->claims, b->vms[i]))
			continue;
		if (spool_quarantine(dm->conf.spool, b->names[i],
		    "the VM name is a DNS node vmgroupd does not own") == -1)
			log_warn("cannot quarantine %s", b->names[i]);
		HASH_FIND_STR(dm->regs.by_vm, b->vms[i], r);
		if (r != NULL) {
			log_warnx("registration of VM %s refused: a node of "
			    "that name exists in zone %s and vmgroupd does not "
			    "own it (spool file %s quarantined)", r->vm,
			    dm->conf.model.zone, b->names[i]);
			model_regs_drop(&dm->regs, r);
			state_changed(&dm->state);
			(void)xstrlcpy(gone[ngone++], b->vms[i], NAME_LABEL_BUF);
		}
		b->vms[i][0] = '\0';	/* not to be acknowledged */
	}
	/* a refused VM is no name of ours to withhold */
	for (i = 0; i < ngone; i++)
		claims_forget(&dm->claims, gone[i]);
	free(gone);
}

/* Remove the files whose effect the directory and the state files hold,
 * in arrival order, then one fsync of new/ for all of them. */
void
intake_ack(struct daemon *dm, struct intake *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++) {
		if (b->vms[i][0] == '\0')
			continue;
		if (spool_unlink(dm->conf.spool, b->names[i]) == -1)
			log_warn("cannot remove spool file %s", b->names[i]);
		else
			n++;
	}
	if (n > 0 && spool_sync(dm->conf.spool) == -1)
		log_warn("cannot sync the spool folder after removing %zu "
		    "file%s (after a crash they may be read again)", n,
		    n == 1 ? "" : "s");
}

