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

enum { SL_SHAPED, SL_UNSHAPED, SL_ERROR, SL_CHANGED };

struct sl_reader {
	int fd, eof;
	char *buf;		/* SL_CHUNK bytes */
	size_t start, end;	/* unread bytes of buf */
	size_t size;		/* bytes read so far */
	uint64_t fnv;		/* and their FNV-1a 64 */
};

/* An entry skipped: said once the whole file is known to be shaped (a
 * file that is not is read again the old way, which says it then). */
struct sl_skip {
	size_t i;
	char *why;
};

/* One pass over the lines: checked only (regs NULL) or applied. */
struct sl_pass {
	const char *path;
	struct model_regs *regs;
	json_tokener *tok;
	size_t count, *bad;
	struct sl_skip *skips;
	size_t nskips, skipcap;
	const struct stateload_tick *tick;	/* NULL: none */
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

/* ev (validated) into regs. */
static void
sl_apply_event(struct model_regs *regs, const struct event *ev)
{
	if (ev->op == EVENT_OP_RELEASE)
		release_note(&regs->released, ev, ev->expires);
	else
		model_apply(regs, ev);
}

/* An entry of the array (a json-c value) into regs, as json-c writes it
 * back.  -1 with why: it is no event, skipped. */
static int
sl_apply(json_object *e, struct model_regs *regs, char *why, size_t whylen)
{
	const char *js = json_object_to_json_string_ext(e,
	    JSON_C_TO_STRING_PLAIN);
	struct event ev;

	if (event_parse(js, strlen(js), &ev, why, whylen) == -1)
		return -1;
	sl_apply_event(regs, &ev);
	return 0;
}

static void
sl_skipped(const char *path, size_t i, const char *why, size_t *bad)
{
	log_warnx("%s: entry %zu skipped, its registration is not "
	    "published: %s", path, i, why);
	(*bad)++;
}

/* The old way: the whole text as one JSON document. */
static int
sl_load_doc(const char *path, const char *text, size_t len,
    struct model_regs *regs, size_t *bad, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc;
	char why[256];
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
		if (sl_apply(json_object_array_get_idx(doc, i), regs, why,
		    sizeof(why)) == -1)
			sl_skipped(path, i, why, bad);
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

/* line can go to event_parse as it is, with the result the old way
 * (json-c's parse, written back, then event_parse) gets: printable ASCII
 * without '/' or '\\' (so json-c writes every string back as it is), and
 * accepted by event_parse, which refuses a key given twice (the one thing
 * json-c's writing back changes: the last value wins) - the way the writer
 * leaves every line.  The event is in ev.  1 / 0: not so (the old way
 * decides). */
static int
sl_canonical(const char *line, size_t n, struct event *ev)
{
	char why[256];
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e || line[i] == '/' ||
		    line[i] == '\\')
			return 0;
	return event_parse(line, n, ev, why, sizeof(why)) == 0;
}

/* Entry i skipped: kept until the file is known to be shaped. */
static void
sl_defer(struct sl_pass *p, size_t i, const char *why)
{
	if (p->nskips == p->skipcap) {
		p->skipcap = p->skipcap == 0 ? 8 : p->skipcap * 2;
		p->skips = xreallocarray(p->skips, p->skipcap,
		    sizeof(*p->skips));
	}
	p->skips[p->nskips].i = i;
	p->skips[p->nskips++].why = xstrdup(why);
}

/* The skipped entries said and counted (say) or forgotten. */
static void
sl_skips_end(struct sl_pass *p, int say)
{
	size_t i;

	for (i = 0; i < p->nskips; i++) {
		if (say)
			sl_skipped(p->path, p->skips[i].i, p->skips[i].why,
			    p->bad);
		free(p->skips[i].why);
	}
	free(p->skips);
	p->skips = NULL;
	p->nskips = p->skipcap = 0;
}

/* One element line (its comma cut off): checked, and applied when p says
 * so; a line as the writer leaves it goes to event_parse as it is (one
 * parse), any other through json-c first as before.  0 / -1: not one
 * JSON object. */
static int
sl_element(struct sl_pass *p, const char *line, size_t n)
{
	int apply = p->regs != NULL && p->count < STATELOAD_MAX_ENTRIES;
	json_object *o;
	struct event ev;
	char why[256];

	if (apply && sl_canonical(line, n, &ev)) {
		sl_apply_event(p->regs, &ev);
		p->count++;
		return 0;
	}
	if ((o = sl_object(p->tok, line, n)) == NULL)
		return -1;
	if (apply && sl_apply(o, p->regs, why, sizeof(why)) == -1)
		sl_defer(p, p->count, why);
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
		if (p->tick != NULL && p->count % STATELOAD_TICK == 0)
			p->tick->fn(p->tick->ctx);
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

/* regs empty (as state_open is given it): the lines applied in one pass,
 * undone if the file turns out not to be shaped. */
static int
sl_load_once(int fd, struct sl_reader *r, struct sl_pass *p)
{
	struct release_set empty = p->regs->released;
	int rc, saved;

	rc = sl_pass(fd, r, p);
	if (rc != SL_SHAPED) {
		saved = errno;
		model_regs_free(p->regs);
		p->regs->by_vm = NULL;
		p->regs->released = empty;
		errno = saved;
	}
	return rc;
}

/* regs not empty: every line checked first, then applied. */
static int
sl_load_twice(int fd, struct sl_reader *r, struct sl_pass *p)
{
	struct model_regs *regs = p->regs;
	uint64_t fnv;
	size_t size;
	int rc;

	p->regs = NULL;
	if ((rc = sl_pass(fd, r, p)) != SL_SHAPED)
		return rc;
	size = r->size;
	fnv = r->fnv;
	p->regs = regs;
	rc = sl_pass(fd, r, p);
	if (rc == SL_SHAPED && (r->size != size || r->fnv != fnv))
		rc = SL_UNSHAPED;
	return rc == SL_UNSHAPED ? SL_CHANGED : rc;
}

/* The file open at fd line by line.  SL_UNSHAPED: nothing applied, it is
 * to be read the old way. */
static int
sl_load_lines(int fd, const char *path, struct model_regs *regs,
    size_t *bad, struct stateload_info *info,
    const struct stateload_tick *tick, char *err, size_t errlen)
{
	struct sl_reader r = { .buf = xmalloc(SL_CHUNK) };
	struct sl_pass p = { .path = path, .bad = bad, .regs = regs,
	    .tick = tick };
	int rc;

	p.tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH - 1);
	if (p.tok == NULL)
		fatalx("out of memory");
	if (regs->by_vm == NULL && regs->released.by_key == NULL)
		rc = sl_load_once(fd, &r, &p);
	else
		rc = sl_load_twice(fd, &r, &p);
	if (rc == SL_SHAPED) {
		info->size = r.size;
		info->fnv = r.fnv;
		sl_too_many(path, p.count, bad);
	}
	sl_skips_end(&p, rc == SL_SHAPED);
	if (rc == SL_CHANGED)
		(void)xsnprintf(err, errlen, "%s: changed while it was read",
		    path);
	else if (rc == SL_ERROR)
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (rc == SL_CHANGED)
		rc = SL_ERROR;
	json_tokener_free(p.tok);
	free(r.buf);
	return rc;
}

int
stateload_snapshot(const char *path, struct model_regs *regs, size_t *bad,
    struct stateload_info *info, const struct stateload_tick *tick,
    char *err, size_t errlen)
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
	switch (sl_load_lines(fd, path, regs, bad, info, tick, err, errlen)) {
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
