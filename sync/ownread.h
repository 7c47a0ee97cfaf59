/*
 * ownread.h - the ownership record's file (own.h) read back: lines in the
 * shape its writer leaves them (one DN a line, nothing escaped) taken as
 * they are, any other JSON object of string arrays through json-c.
 */
#ifndef VMG_OWNREAD_H
#define VMG_OWNREAD_H

#include <stddef.h>

/* Called with kind (an index into keys) and each DN of its array. */
typedef void (*ownread_fn)(void *ctx, int kind, const char *dn);

/* The arrays named keys[0..nkeys) of the file at path into add.  0; 1 when
 * there is no such file; -1 with err (not JSON, not an object, unreadable):
 * nothing was added then. */
int ownread_file(const char *path, const char *const *keys, int nkeys,
    ownread_fn add, void *ctx, char *err, size_t errlen);

#endif
