/*
 * atomic.h - replace a file's contents atomically: a temporary file beside
 * it, fsync, rename over it, fsync of the folder.  A crash leaves either the
 * old or the new contents, never a mix.
 */
#ifndef VMG_ATOMIC_H
#define VMG_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/* write(2) all of it, retrying short writes and EINTR.  0 / -1. */
int atomic_write_all(int fd, const void *data, size_t len);
/* fsync the folder that holds path.  0 / -1. */
int atomic_sync_dir(const char *path);
int atomic_write(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen);

#endif
