/*
 * stateload.c - the registrations snapshot read back, line by line when it
 * is as state_save wrote it (see stateload.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "release.h"
#include "stateload.h"
#include "xmem.h"

#define STATELOAD_MAX_ENTRIES (1000000 + RELEASE_MAX)	/* as state.c */
#define SL_CHUNK (64 * 1024)	/* read size; a longer line: the old way */

enum { SL_SHAPED, SL_UNSHAPED, SL_ERROR };

struct sl_reader {
	int fd, eof;
	char *buf;		/* SL_CHUNK bytes */
	size_t start, end;	/* unread bytes of buf */
	size_t size;		/* bytes read so far */
	uint64_t fnv;		/* and their FNV-1a 64 */
};

/* One pass over the lines: checked only (regs NULL) or applied. */
struct sl_pass {
	const char *path;
	struct model_regs *regs;
	json_tokener *tok;
	size_t count, *bad;
};

uint64_t
stateload_fnv(uint64_t h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/* All of fd from its start in a NUL-terminated buffer.  0 / -1 (errno). */
static int
sl_slurp_fd(int fd, char **buf, size_t *len)
{
	struct stat sb;
	size_t off = 0, cap;
	ssize_t r;

	*buf = NULL;
	if (fstat(fd, &sb) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		return -1;
	cap = (size_t)sb.st_size + 1;
	*buf = xmalloc(cap);
	for (;;) {
		if (off + 1 == cap)
			*buf = xreallocarray(*buf, cap *= 2, 1);
		r = read(fd, *buf + off, cap - off - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(*buf);
			*buf = NULL;
			return -1;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	(*buf)[off] = '\0';
	*len = off;
	return 0;
}

int
stateload_slurp(const char *path, char **buf, size_t *len)
{
	int fd, rc, saved;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	rc = sl_slurp_fd(fd, buf, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static void
sl_too_many(const char *path, size_t n, size_t *bad)
{
	if (n <= STATELOAD_MAX_ENTRIES)
		return;
	log_warnx("%s: %zu entries; only the first %d are read", path, n,
	    STATELOAD_MAX_ENTRIES);
	*bad += n - STATELOAD_MAX_ENTRIES;
}

/* Entry i of the array (a json-c value) into regs. */
static void
sl_apply(const char *path, json_object *e, size_t i,
    struct model_regs *regs, size_t *bad)
{
	const char *js = json_object_to_json_string_ext(e,
	    JSON_C_TO_STRING_PLAIN);
	struct event ev;
	char why[256];

	if (event_parse(js, strlen(js), &ev, why, sizeof(why)) == -1) {
		log_warnx("%s: entry %zu skipped, its registration is not "
		    "published: %s", path, i, why);
		(*bad)++;
		return;
	}
	if (ev.op == EVENT_OP_RELEASE)
		release_note(&regs->released, &ev, ev.expires);
	else
		model_apply(regs, &ev);
}

/* The old way: the whole text as one JSON document. */
static int
sl_load_doc(const char *path, const char *text, size_t len,
    struct model_regs *regs, size_t *bad, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc;
	size_t i, n;

	doc = len > INT32_MAX ? NULL : json_tokener_parse_ex(tok, text, (int)len);
	if (doc == NULL || !json_object_is_type(doc, json_type_array)) {
		(void)xsnprintf(err, errlen, "%s: not a registrations file (%s)",
		    path, json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		json_object_put(doc);
		return -1;
	}
	json_tokener_free(tok);
	n = json_object_array_length(doc);
	sl_too_many(path, n, bad);
	for (i = 0; i < n && i < STATELOAD_MAX_ENTRIES; i++)
		sl_apply(path, json_object_array_get_idx(doc, i), i, regs, bad);
	json_object_put(doc);
	return 0;
}

/* The next line of r (without its newline): 1, 0 at the end, -1 on a read
 * error (errno), 2 when the rest is no whole line of at most a chunk. */
static int
sl_line(struct sl_reader *r, const char **line, size_t *n)
{
	const char *nl;
	ssize_t got;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			*line = r->buf + r->start;
			*n = (size_t)(nl - *line);
			r->start += *n + 1;
			return 1;
		}
		if (r->eof)
			return r->end > r->start ? 2 : 0;
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
		if (r->end == SL_CHUNK)
			return 2;
		got = read(r->fd, r->buf + r->end, SL_CHUNK - r->end);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			return -1;
		r->eof = got == 0;
		r->fnv = stateload_fnv(r->fnv, r->buf + r->end, (size_t)got);
		r->size += (size_t)got;
		r->end += (size_t)got;
	}
}

/* line as one JSON object that ends where it does, parsed as inside the
 * array (one level less deep); NULL when it is not. */
static json_object *
sl_object(json_tokener *tok, const char *line, size_t n)
{
	json_object *o;

	if (n < 2 || line[0] != '{' || line[n - 1] != '}' ||
	    memchr(line, '\0', n) != NULL || n > INT32_MAX)
		return NULL;
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, (int)n);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success
	    || json_tokener_get_parse_end(tok) != n ||
	    !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* One element line (its comma cut off): checked, and applied when p says
 * so.  0 / -1: not one JSON object. */
static int
sl_element(struct sl_pass *p, const char *line, size_t n)
{
	json_object *o = sl_object(p->tok, line, n);

	if (o == NULL)
		return -1;
	if (p->regs != NULL && p->count < STATELOAD_MAX_ENTRIES)
		sl_apply(p->path, o, p->count, p->regs, p->bad);
	json_object_put(o);
	p->count++;
	return 0;
}

/* The lines of r as the writer leaves them: "[", elements (each but the
 * last with a comma), "]", the end. */
static int
sl_lines(struct sl_reader *r, struct sl_pass *p)
{
	const char *line;
	size_t n;
	int rc, comma = 0;

	if ((rc = sl_line(r, &line, &n)) != 1 || n != 1 || line[0] != '[')
		return rc == -1 ? SL_ERROR : SL_UNSHAPED;
	for (;;) {
		if ((rc = sl_line(r, &line, &n)) != 1)
			return rc == -1 ? SL_ERROR : SL_UNSHAPED;
		if (n == 1 && line[0] == ']')
			break;
		if (p->count > 0 && !comma)
			return SL_UNSHAPED;
		comma = n > 0 && line[n - 1] == ',';
		if (sl_element(p, line, comma ? n - 1 : n) == -1)
			return SL_UNSHAPED;
	}
	if (comma)
		return SL_UNSHAPED;
	rc = sl_line(r, &line, &n);
	return rc == 0 ? SL_SHAPED : rc == -1 ? SL_ERROR : SL_UNSHAPED;
}

/* One pass over fd from its start. */
static int
sl_pass(int fd, struct sl_reader *r, struct sl_pass *p)
{
	r->fd = fd;
	r->eof = 0;
	r->start = r->end = r->size = 0;
	r->fnv = STATELOAD_FNV_INIT;
	p->count = 0;
	if (lseek(fd, 0, SEEK_SET) == -1)
		return SL_ERROR;
	return sl_lines(r, p);
}

/* The file open at fd line by line: checked, then applied.  SL_UNSHAPED:
 * nothing applied, it is to be read the old way. */
static int
sl_load_lines(int fd, const char *path, struct model_regs *regs,
    size_t *bad, struct stateload_info *info, char *err, size_t errlen)
{
	struct sl_reader r = { .buf = xmalloc(SL_CHUNK) };
	struct sl_pass p = { .path = path, .bad = bad };
	int rc;

	p.tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH - 1);
	if (p.tok == NULL)
		fatalx("out of memory");
	if ((rc = sl_pass(fd, &r, &p)) != SL_SHAPED)
		goto out;
	info->size = r.size;
	info->fnv = r.fnv;
	sl_too_many(path, p.count, bad);
	p.regs = regs;
	rc = sl_pass(fd, &r, &p);
	if (rc == SL_SHAPED && (r.size != info->size || r.fnv != info->fnv))
		rc = SL_UNSHAPED;
	if (rc == SL_UNSHAPED) {
		(void)xsnprintf(err, errlen, "%s: changed while it was read",
		    path);
		rc = SL_ERROR;
		errno = 0;
	}
out:
	if (rc == SL_ERROR && errno != 0)
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
	json_tokener_free(p.tok);
	free(r.buf);
	return rc;
}

int
stateload_snapshot(const char *path, struct model_regs *regs, size_t *bad,
    struct stateload_info *info, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int fd, rc = -1;

	memset(info, 0, sizeof(*info));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 0;
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	info->found = 1;
	switch (sl_load_lines(fd, path, regs, bad, info, err, errlen)) {
	case SL_SHAPED:
		rc = 0;
		goto out;
	case SL_ERROR:
		goto out;
	}
	if (sl_slurp_fd(fd, &text, &len) == -1) {
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	info->size = len;
	info->fnv = stateload_fnv(STATELOAD_FNV_INIT, text, len);
	rc = sl_load_doc(path, text, len, regs, bad, err, errlen);
out:
	free(text);
	close(fd);
	return rc;
}
