/*
 * spool.c - atomic drops, listing, bounded reads, acknowledgement and
 * quarantine of spool files.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "name.h"
#include "spool.h"
#include "xmem.h"

#define SPOOL_QTRIES 1000	/* <name>, <name>~1 ... <name>~999 */
#define SPOOL_QNAME_BUF 256	/* SPOOL_NAME_MAX + "~999" + ".reason" < 256 */
#define SPOOL_REASON_BUF 602	/* 600 characters, newline, NUL */

static const char *const spool_subdirs[] = { "tmp", "new", "quarantine" };

/* A plain file name: 1 to SPOOL_NAME_MAX printable ASCII characters, no
 * '/', not "." or "..".  So a name is safe to print in a log line, and
 * "<name>~999.reason" (quarantine) still fits in NAME_MAX. */
static int
spool_name_ok(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (i == SPOOL_NAME_MAX || name[i] < 0x20 || name[i] > 0x7e ||
		    name[i] == '/')
			return 0;
	return i > 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int
spool_path(char *out, size_t outlen, const char *dir, const char *sub,
    const char *name)
{
	if (name == NULL)
		return xsnprintf(out, outlen, "%s/%s", dir, sub);
	return xsnprintf(out, outlen, "%s/%s/%s", dir, sub, name);
}

static int
spool_check_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) == -1) {
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(void)xsnprintf(err, errlen, "%s: not a folder (or a symlink)",
		    path);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		(void)xsnprintf(err, errlen, "%s is world-writable: anyone "
		    "could queue registrations; chmod o-w it", path);
		return -1;
	}
	return 0;
}

int
spool_init(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	mode_t mode;
	size_t i;

	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		(void)xsnprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (spool_check_dir(dir, err, errlen) == -1 || stat(dir, &st) == -1)
		return -1;
	/* subfolders get the spool's own group rights (a 2770 spool lets
	 * hooks in its group queue files), never rights for others */
	mode = st.st_mode & (S_ISGID | S_IRWXU | S_IRWXG);
	for (i = 0; i < sizeof(spool_subdirs) / sizeof(spool_subdirs[0]); i++) {
		if (spool_path(path, sizeof(path), dir, spool_subdirs[i],
		    NULL) == -1) {
			(void)xsnprintf(err, errlen, "spool path too long");
			return -1;
		}
		if (mkdir(path, mode) == 0)
			(void)chmod(path, mode);	/* past the umask */
		else if (errno != EEXIST) {
			(void)xsnprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (spool_check_dir(path, err, errlen) == -1)
			return -1;
	}
	return 0;
}

static int
spool_unique(char *name, size_t len)
{
	struct timespec ts;
	uint32_t rnd;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	return xsnprintf(name, len, "%020" PRIu64 "-%ld-%08" PRIx32 ".json",
	    (uint64_t)((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec),
	    (long)getpid(), rnd);
}

int
spool_write(const char *dir, const char *data, size_t len, char *name_out,
    size_t name_len, char *err, size_t errlen)
{
	char name[SPOOL_NAME_BUF], tmp[PATH_MAX], dst[PATH_MAX];
	int fd, saved;

	if (spool_unique(name, sizeof(name)) == -1 ||
	    spool_path(tmp, sizeof(tmp), dir, "tmp", name) == -1 ||
	    spool_path(dst, sizeof(dst), dir, "new", name) == -1 ||
	    xstrlcpy(name_out, name, name_len) == -1) {
		(void)xsnprintf(err, errlen, "cannot name a spool file");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd == -1)
		goto fail;
	if (atomic_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, dst) == -1 ||
	    atomic_sync_dir(dst) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	(void)unlink(tmp);
	(void)xsnprintf(err, errlen, "%s: %s", tmp, strerror(saved));
	return -1;
}

static int
spool_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of new/ but dot files: with plain names (odd == 0) or with
 * names that are not plain (odd == 1). */
static int
spool_scan(const char *dir, int odd, char ***names, size_t *count,
    size_t *others)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t n = 0, cap = 0;
	char **v = NULL;
	int saved;
	DIR *d;

	*names = NULL;
	*count = 0;
	if (others != NULL)
		*others = 0;
	if (spool_path(path, sizeof(path), dir, "new", NULL) == -1 ||
	    (d = opendir(path)) == NULL)
		return -1;
	/* every complete file, so a misnamed one is quarantined by the
	 * reader, not silently left behind; dot files are not ours
	 * (editors, rsync temporaries) */
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (spool_name_ok(de->d_name) == odd) {
			if (others != NULL)
				(*others)++;
			continue;
		}
		if (n == cap)
			v = xreallocarray(v, cap = cap ? cap * 2 : 16,
			    sizeof(*v));
		v[n++] = xstrdup(de->d_name);
	}
	saved = errno;
	closedir(d);
	if (saved != 0) {
		spool_list_free(v, n);
		errno = saved;
		return -1;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), spool_name_cmp);
	*names = v;
	*count = n;
	return 0;
}

int
spool_list(const char *dir, char ***names, size_t *count, size_t *odd)
{
	return spool_scan(dir, 0, names, count, odd);
}

int
spool_list_odd(const char *dir, char ***names, size_t *count)
{
	return spool_scan(dir, 1, names, count, NULL);
}

void
spool_list_free(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Read all of fd into buf (at most buflen - 1 bytes, then NUL); a file
 * with more is an error, never cut. */
static int
spool_read_fd(int fd, char *buf, size_t buflen, size_t *len, char *err,
    size_t errlen)
{
	size_t off = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, buf + off, buflen - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			(void)xsnprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		off += (size_t)r;
		if (off == buflen) {	/* one byte more than fits */
			(void)xsnprintf(err, errlen, "larger than %zu bytes",
			    buflen - 1);
			return -1;
		}
	}
	buf[off] = '\0';
	*len = off;
	return 0;
}

int
spool_read(const char *dir, const char *name, char *buf, size_t buflen,
    size_t *len, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, rc = -1;

	if (buflen < 2) {
		(void)xsnprintf(err, errlen, "read buffer too small");
		return -1;
	}
	if (!spool_name_ok(name) ||
	    spool_path(path, sizeof(path), dir, "new", name) == -1) {
		(void)xsnprintf(err, errlen, "bad spool file name");
		return -1;
	}
	/* O_NONBLOCK: a FIFO put here must not hang the reader */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		(void)xsnprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		(void)xsnprintf(err, errlen, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		(void)xsnprintf(err, errlen, "not a regular file");
	else
		rc = spool_read_fd(fd, buf, buflen, len, err, errlen);
	close(fd);
	return rc;
}

int
spool_read_event(const char *dir, const char *name, struct event *ev,
    char *err, size_t errlen)
{
	char buf[EVENT_MAX_BYTES + 1];
	size_t len;

	if (spool_read(dir, name, buf, sizeof(buf), &len, err, errlen) == -1)
		return -1;
	return event_parse(buf, len, ev, err, errlen);
}

int
spool_unlink(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (!spool_name_ok(name) ||
	    spool_path(path, sizeof(path), dir, "new", name) == -1) {
		errno = EINVAL;
		return -1;
	}
	return unlink(path);
}

int
spool_sync(const char *dir)
{
	char path[PATH_MAX];

	/* atomic_sync_dir syncs the folder holding its argument */
	if (spool_path(path, sizeof(path), dir, "new", ".") == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return atomic_sync_dir(path);
}

int
spool_ack(const char *dir, const char *name)
{
	if (spool_unlink(dir, name) == -1)
		return -1;
	return spool_sync(dir);
}

/* Move from to to, never replacing anything at to (EEXIST). */
static int
spool_move_new(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* a file system without RENAME_NOREPLACE: link fails on EEXIST */
	if (link(from, to) == -1)
		return -1;
	return unlink(from);
}

/* Write text into a new file at path (O_EXCL: EEXIST if there is one). */
static int
spool_create_new(const char *path, const char *text, size_t n)
{
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd == -1)
		return -1;
	if (atomic_write_all(fd, text, n) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		(void)unlink(path);
		errno = saved;
		return -1;
	}
	return close(fd);
}

static int
spool_ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Move new/<from> to quarantine/<base> (or <base>~N if that, or its
 * reason, is taken, or if base ends in ".reason"), its reason beside it:
 * the reason is created first (O_EXCL), the file moved without replacing;
 * nothing in quarantine/ is ever overwritten.  The name used goes to q. */
static int
spool_quarantine_as(const char *dir, const char *from, const char *base,
    const char *text, size_t n, char q[SPOOL_QNAME_BUF])
{
	char src[PATH_MAX], to[PATH_MAX], rpath[PATH_MAX];
	unsigned i;
	int saved;

	if (spool_path(src, sizeof(src), dir, "new", from) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = spool_ends_with(base, ".reason"); i < SPOOL_QTRIES; i++) {
		if ((i == 0 ? xstrlcpy(q, base, SPOOL_QNAME_BUF) :
		    xsnprintf(q, SPOOL_QNAME_BUF, "%s~%u", base, i)) == -1 ||
		    spool_path(to, sizeof(to), dir, "quarantine", q) == -1 ||
		    xsnprintf(rpath, sizeof(rpath), "%s.reason", to) == -1) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (spool_create_new(rpath, text, n) == -1) {
			if (errno == EEXIST)
				continue;
			return -1;
		}
		if (spool_move_new(src, to) == 0)
			return atomic_sync_dir(to) == -1 ||
			    atomic_sync_dir(src) == -1 ? -1 : 0;
		saved = errno;
		(void)unlink(rpath);
		if (saved != EEXIST) {
			errno = saved;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/* reason as one line: anything but printable ASCII becomes '?'. */
static size_t
spool_reason_line(const char *reason, char text[SPOOL_REASON_BUF])
{
	size_t i, n = 0;

	for (i = 0; reason[i] != '\0' && n < SPOOL_REASON_BUF - 2; i++)
		text[n++] = (reason[i] >= 0x20 && reason[i] < 0x7f) ?
		    reason[i] : '?';
	text[n++] = '\n';
	return n;
}

int
spool_quarantine(const char *dir, const char *name, const char *reason)
{
	char text[SPOOL_REASON_BUF], q[SPOOL_QNAME_BUF];
	size_t n;

	if (!spool_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	n = spool_reason_line(reason, text);
	return spool_quarantine_as(dir, name, name, text, n, q);
}

int
spool_quarantine_odd(const char *dir, const char *raw, char *qname,
    size_t qlen)
{
	char text[SPOOL_REASON_BUF], quoted[200], base[96];
	char unique[SPOOL_NAME_BUF], q[SPOOL_QNAME_BUF];
	size_t n;

	if (raw[0] == '\0' || raw[0] == '.' || strchr(raw, '/') != NULL ||
	    spool_name_ok(raw)) {
		errno = EINVAL;
		return -1;
	}
	name_quote(raw, quoted, sizeof(quoted));
	if (spool_unique(unique, sizeof(unique)) == -1 ||
	    xsnprintf(base, sizeof(base), "badname-%s", unique) == -1)
		return -1;
	(void)xsnprintf(text, sizeof(text), "file name not plain (over %d "
	    "characters, or not printable ASCII), so never read: \"%s\"; "
	    "kept here as %s\n", SPOOL_NAME_MAX, quoted, base);
	n = strlen(text);
	if (spool_quarantine_as(dir, raw, base, text, n, q) == -1)
		return -1;
	return xstrlcpy(qname, q, qlen);
}
