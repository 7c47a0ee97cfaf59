/*
 * state.h - the registrations vmgroupd holds, kept across restarts.
 *
 * A JSON array of canonical events (event_to_json), written atomically:
 * first the release records (release events, "expires" = the record's
 * end), then the registrations (register events).  Read back through
 * event_parse(), so a damaged or edited file gets the same checks as a
 * spool file.  The daemon saves it before it removes the spool files whose
 * effect it holds; a registration or record that cannot be written out
 * fails the save (nothing is dropped from the file silently).
 */
#ifndef VMG_STATE_H
#define VMG_STATE_H

#include <stddef.h>

#include "model.h"

/* A missing file is an empty state.  Entries that fail validation are
 * skipped and counted in *bad (and logged). */
int state_load(const char *path, struct model_regs *regs, size_t *bad,
    char *err, size_t errlen);
int state_save(const char *path, const struct model_regs *regs, char *err,
    size_t errlen);
/* The registration as a register event. */
void state_reg_event(const struct model_reg *r, struct event *ev);

#endif
