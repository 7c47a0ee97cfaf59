/*
 * state.h - the registrations vmgroupd holds, kept across restarts.
 *
 * Two files in the state folder:
 *
 *  registrations.json     the snapshot: a JSON array of canonical events
 *                         (event_to_json), written atomically: first the
 *                         release records (release events, "expires" =
 *                         the record's end), then the registrations
 *                         (register events).
 *  registrations.journal  what changed since: one line per change, in the
 *                         order it happened in memory, appended and
 *                         fsynced once per pass:
 *                           - an event the pass applied (canonical, as a
 *                             spool file; a register or refresh only if it
 *                             changed a registration; a release always,
 *                             its "expires" = the end of the VM's release
 *                             record afterwards, 0 if there is none);
 *                           - {"expire":T}: model_expire at T removed a
 *                             registration or a release record;
 *                           - {"compacted":"<fnv1a64>","bytes":N}, only
 *                             last: everything above is in the snapshot of
 *                             that checksum and size (see state_save).
 *
 * Loading reads the snapshot, then replays the journal (the same checks,
 * event_parse, for both): release records first, registrations through
 * model_apply, then each journal line as it was applied, so that
 * load(snapshot) + replay(journal) is the state in memory (registrations
 * and release records with their ends; tests/test_state.c checks it on
 * random sequences).  A journaled release is replayed with the record end
 * it carries, not one recomputed from the leases seen since start.
 *
 * A last line without its newline (a crash mid-append) is ignored with a
 * warning and cut off at the next append; a bad line elsewhere is skipped
 * and counted like a bad snapshot entry.
 *
 * A change that is no journaled event (a registration refused or dropped
 * by the daemon, a journal line that cannot be written out, too many
 * lines waiting) marks the state for compaction: the next commit rewrites
 * the snapshot.  So does a journal grown beyond max(snapshot size,
 * STATE_JOURNAL_MIN), at most STATE_JOURNAL_MAX, and bad lines at load.
 * Compaction: build the snapshot, append the compacted line to the journal
 * (fsync), replace the snapshot atomically, remove the journal.  A crash
 * between the last two leaves a journal whose last line names the new
 * snapshot: ignored.  A snapshot edited by hand does not match such a line:
 * the journal is replayed over it.
 *
 * The daemon commits before it removes the spool files whose effect it
 * holds; a registration or record that cannot be written out fails the
 * save (nothing is dropped from the files silently).
 */
#ifndef VMG_STATE_H
#define VMG_STATE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "stateload.h"

#define STATE_JOURNAL_MIN (64 * 1024)
#define STATE_JOURNAL_MAX (64 * 1024 * 1024)

struct state_store {
	char path[PATH_MAX];	/* the snapshot, registrations.json */
	char jpath[PATH_MAX];	/* the journal beside it */
	size_t snap_size;	/* bytes of the snapshot (0: none) */
	size_t jsize;		/* journal bytes that hold whole lines */
	int compact;		/* the next commit rewrites the snapshot */
	char *pend;		/* lines noted since the last commit */
	size_t npend, pendcap;
};

/* Load the snapshot at path (a missing file is an empty state) and replay
 * the journal beside it into regs (set regs->released.hold first).  Lines
 * and entries that fail validation are skipped, counted in *bad and
 * logged.  0 / -1 with err. */
int state_open(struct state_store *st, const char *path,
    struct model_regs *regs, size_t *bad, char *err, size_t errlen);
/* The same, tick called as the snapshot loads (stateload.h). */
int state_open_ticking(struct state_store *st, const char *path,
    struct model_regs *regs, const struct stateload_tick *tick, size_t *bad,
    char *err, size_t errlen);
void state_close(struct state_store *st);
/* state_open, then state_close. */
int state_load(const char *path, struct model_regs *regs, size_t *bad,
    char *err, size_t errlen);
/* ev was just applied to regs; changed is what model_apply returned. */
void state_note(struct state_store *st, const struct model_regs *regs,
    const struct event *ev, int changed);
/* model_expire(regs, now), noted if it removed anything; returns how many
 * registrations it removed. */
size_t state_expire(struct state_store *st, struct model_regs *regs,
    int64_t now);
/* regs changed in another way: the next commit rewrites the snapshot. */
void state_changed(struct state_store *st);
/* Make the files hold regs: append the noted lines (one write, one fsync;
 * nothing when nothing was noted), or compact.  0 / -1 with err (what was
 * noted is kept for the next commit). */
int state_commit(struct state_store *st, const struct model_regs *regs,
    char *err, size_t errlen);
/* Compact: the snapshot written from regs, the journal removed. */
int state_save(struct state_store *st, const struct model_regs *regs,
    char *err, size_t errlen);
/* The registration as a register event. */
void state_reg_event(const struct model_reg *r, struct event *ev);

#endif
