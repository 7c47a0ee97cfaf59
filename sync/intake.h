/*
 * intake.h - the daemon's spool intake (one pass's files).
 *
 * Every file in new/ is read and checked (event.c, conf's networks) and
 * applied to the registrations in arrival order; each change is noted in
 * the pass's scope (scope.h) and the state journal (state.h).  A file
 * that fails is quarantined with its reason; a file whose name is not
 * plain is quarantined under a plain name; a registration of a VM whose
 * name another holds is refused.  Files are removed only once the
 * directory and the state files hold their effect (intake_ack).
 */
#ifndef VMG_INTAKE_H
#define VMG_INTAKE_H

#include <stddef.h>
#include <time.h>

#include "daemon.h"

/* The files of one pass: accepted names and the VM each one names ("":
 * not to be removed). */
struct intake {
	char **names;
	char (*vms)[NAME_LABEL_BUF];
	size_t n;
};

/* Quarantine the files of new/ whose names are not plain. */
void intake_odd_names(struct daemon *dm);
/* Read and apply every new file into b.  -1: the spool cannot be listed
 * (said by spoolscan.c); b is empty then. */
int intake_read(struct daemon *dm, struct intake *b);
/* Note in the pass's scope the registrations whose lease ends by now. */
void intake_note_expiring(struct daemon *dm, time_t now);
/* Say once how many release records the cap dropped since last said. */
void intake_note_evicted(struct daemon *dm);
/* Refuse the registrations of b naming a VM another holds (claim.h). */
void intake_refuse_foreign(struct daemon *dm, struct intake *b);
/* Remove b's accepted files, then sync new/ once. */
void intake_ack(struct daemon *dm, struct intake *b);
void intake_free(struct intake *b);
/* List the spool's new files for the loop's rescan: how many there are,
 * or -1 if the spool cannot be listed (spoolscan.h: said once, retried
 * with a backoff).  Sets the rescan deadline. */
int intake_spool_pending(struct daemon *dm);

#endif
