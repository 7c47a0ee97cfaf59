/*
 * atomic.c - atomic file replacement.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "xmem.h"

int
atomic_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
atomic_sync_dir(const char *path)
{
	char buf[PATH_MAX];
	int fd, rc;

	if (xstrlcpy(buf, path, sizeof(buf)) == -1)
		return -1;
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
atomic_write(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int fd = -1, saved;

	if (xsnprintf(tmp, sizeof(tmp), "%s.tmp", path) == -1) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1 || atomic_write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1 || atomic_sync_dir(path) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	(void)xsnprintf(err, errlen, "writing %s: %s", path, strerror(saved));
	errno = saved;
	return -1;
}
