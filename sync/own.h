/*
 * own.h - the record of what vmgroupd owns in the directory.
 *
 * vmgroupd never modifies or deletes a node or object that is not in this
 * record, even when its account has the rights.  The file is a JSON object
 * {"nodes": [DN...], "groups": [DN...]}.  A DN is recorded (and the
 * record saved) before the object is created, so a crash in between leaves
 * a claim on an object that does not exist yet, never an object we forgot.
 *
 * Saving costs what changed: the changes since the last save are appended
 * to a journal beside the file (<path>.journal, one "+<kind> <DN>" or
 * "-<kind> <DN>" line each) and fsynced; the file itself is rewritten, and
 * the journal removed, only when the journal outgrows it (and at least
 * OWN_JOURNAL_MIN bytes).  Loading reads the file, then replays the
 * journal; a last line cut short by a crash is ignored.
 */
#ifndef VMG_OWN_H
#define VMG_OWN_H

#include <limits.h>
#include <stddef.h>

#include "ownset.h"

enum own_kind { OWN_NODE, OWN_GROUP, OWN_NKINDS };

#define OWN_JOURNAL_MIN (256 * 1024)

struct own {
	struct ownset set[OWN_NKINDS];	/* dnsNodes, vmGroup objects */
	char path[PATH_MAX];
	int dirty;
	char *pending;			/* journal lines not yet written (none
					 * once they outgrow the journal's
					 * limit: the next save rewrites the
					 * file) */
	size_t npending;
	int compact;			/* the next save rewrites the file */
	size_t journal;			/* bytes in the journal */
	size_t snapshot;		/* bytes in the file */
};

/* Load the record at path (a missing file is an empty record). */
int own_load(struct own *o, const char *path, char *err, size_t errlen);
/* Make the changes durable (journal, or the whole file: see above). */
int own_save(struct own *o, char *err, size_t errlen);
/* Write the whole file and drop the journal (at a stop: owned.json alone
 * then says what vmgroupd owns, for an admin or a rollback). */
int own_flush(struct own *o, char *err, size_t errlen);
int own_has(const struct own *o, enum own_kind k, const char *dn);
void own_add(struct own *o, enum own_kind k, const char *dn);
void own_del(struct own *o, enum own_kind k, const char *dn);
size_t own_count(const struct own *o, enum own_kind k);
/* The DNs of kind k, sorted, in one block (the array, then the strings):
 * free it after use. */
const char **own_list(const struct own *o, enum own_kind k, size_t *count);

/* The DNs of kind k, sorted, one at a time without a copy of them all:
 * own_walk_next returns NULL at the end, else the next DN, valid until
 * the next call.  The record must not change before own_walk_end. */
struct own_ref {
	const char *rdn;
	const char *parent;		/* NULL: rdn is all the DN */
};

struct own_walk {
	struct own_ref *refs;
	size_t n, i;
	char *dn;			/* the last DN, built */
	size_t cap;
};

size_t own_walk_begin(struct own_walk *w, const struct own *o,
    enum own_kind k);
/* Those directly under parent only (a zone's nodes; NULL: all of them),
 * in no order. */
size_t own_walk_under(struct own_walk *w, const struct own *o,
    enum own_kind k, const char *parent);
const char *own_walk_next(struct own_walk *w);
void own_walk_end(struct own_walk *w);
void own_free(struct own *o);

#endif
