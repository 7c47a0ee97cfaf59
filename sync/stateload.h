/*
 * stateload.h - the registrations snapshot (see state.h) read back.
 *
 * The snapshot as state_save writes it - "[", one canonical event per
 * line, each but the last followed by ",", then "]" - is read in bounded
 * chunks, one line at a time, so the memory it takes is one event, not
 * the file.  Into empty registrations (state_open's) the lines are
 * applied in one pass, undone if a line turns out not to be one JSON
 * object; into others every line is checked first (json-c, as the whole
 * array would parse it), then applied.  A file in any other shape (edited
 * by hand, damaged) is read the old way, as one JSON document: the same
 * checks and messages.  Either way each entry goes through event_parse as
 * json-c writes it back (JSON_C_TO_STRING_PLAIN), exactly as before; a
 * line that is already that text (event_to_json's, printable ASCII with
 * nothing json-c escapes) goes to event_parse as it is, without json-c's
 * parse and write-back first.  Skipped entries are said once the file is
 * known to be shaped.
 */
#ifndef VMG_STATELOAD_H
#define VMG_STATELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define STATELOAD_FNV_INIT 0xcbf29ce484222325ULL

/* What was read: found is 0 when there is no file (an empty state). */
struct stateload_info {
	int found;
	size_t size;		/* bytes of the file */
	uint64_t fnv;		/* FNV-1a 64 of them */
};

/* FNV-1a 64 of n more bytes p after h. */
uint64_t stateload_fnv(uint64_t h, const char *p, size_t n);
/* All of path in a NUL-terminated buffer.  0 / -1 (errno set). */
int stateload_slurp(const char *path, char **buf, size_t *len);
/* The entries of the snapshot at path into regs (release records,
 * registrations); entries that fail validation skipped, counted in *bad
 * and logged.  0 / -1 with err (a file that is no JSON array). */
/* tick (NULL: none) is called every STATELOAD_TICK entries: other work
 * runs meanwhile (the daemon's first reads of the directory). */
#define STATELOAD_TICK 128
struct stateload_tick {
	void (*fn)(void *ctx);
	void *ctx;
};
int stateload_snapshot(const char *path, struct model_regs *regs,
    size_t *bad, struct stateload_info *info,
    const struct stateload_tick *tick, char *err, size_t errlen);

#endif
