/*
 * lock.h - one vmgroupd per spool and per state folder.
 *
 * An exclusive flock(2) on <folder>/vmgroupd.lock, held for the life of the
 * daemon.  The lock lives in the folder, so a folder removed and made again
 * loses it: lock_keep() notices (the file at the path is no longer the one
 * locked) and locks the new file, unless another vmgroupd got there first
 * (then the daemon stops: two must not serve one folder).
 */
#ifndef VMG_LOCK_H
#define VMG_LOCK_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define LOCK_FILE "vmgroupd.lock"

struct lock {
	int fd;				/* -1 while not held */
	char path[PATH_MAX];
	char what[64];			/* "spool /var/spool/vmgroup" */
	dev_t dev;
	ino_t ino;
	int lost;			/* not held for now */
};

/* Lock <dir>/vmgroupd.lock; what names the folder in messages ("spool",
 * "state folder").  0, or -1 with err ("another vmgroupd already uses
 * the spool ..." when it is held). */
int lock_take(struct lock *l, const char *dir, const char *what, char *err,
    size_t errlen);
/* Before each pass.  0: held (taken again, and logged, if the folder was
 * made again), or not held for now because the folder is gone (what uses
 * the folder says so) or the file cannot be made (logged once); the next
 * call tries again.  -1: another vmgroupd holds the new lock file. */
int lock_keep(struct lock *l);
void lock_release(struct lock *l);

#endif
