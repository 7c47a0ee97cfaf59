/*
 * lock.c - exclusive locks on the spool and the state folder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "xmem.h"

/* Open and lock l->path; the fd, or -1 with errno (EWOULDBLOCK: held). */
static int
lock_open(struct lock *l, struct stat *st)
{
	int fd, saved;

	fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 || fstat(fd, st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
lock_take(struct lock *l, const char *dir, const char *what, char *err,
    size_t errlen)
{
	struct stat st;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (xsnprintf(l->path, sizeof(l->path), "%s/" LOCK_FILE, dir) == -1 ||
	    xsnprintf(l->what, sizeof(l->what), "%s %s", what, dir) == -1) {
		(void)xsnprintf(err, errlen, "%s path too long", what);
		return -1;
	}
	l->fd = lock_open(l, &st);
	if (l->fd == -1) {
		if (errno == EWOULDBLOCK)
			(void)xsnprintf(err, errlen, "another vmgroupd already "
			    "serves %s", l->what);
		else
			(void)xsnprintf(err, errlen, "lock %s: %s", l->path,
			    strerror(errno));
		return -1;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return 0;
}

int
lock_keep(struct lock *l)
{
	struct stat st;
	int fd;

	if (l->fd != -1 && stat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino)
		return 0;
	/* gone or replaced: the folder was made again, or is gone */
	fd = lock_open(l, &st);
	if (fd == -1 && errno == EWOULDBLOCK)
		return -1;
	if (fd == -1) {
		/* a folder that is gone is said by what uses it */
		if (!l->lost && errno != ENOENT)
			log_warn("the lock of the %s is gone and cannot be "
			    "made again (%s)", l->what, l->path);
		l->lost = 1;
		return 0;
	}
	if (l->fd != -1)
		close(l->fd);
	l->fd = fd;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	log_warnx("the lock of the %s was gone (the folder made again?); "
	    "locked it again", l->what);
	l->lost = 0;
	return 0;
}

void
lock_release(struct lock *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}
