/*
 * state.c - persist the registrations table: a snapshot and a journal of
 * what changed since (see state.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "log.h"
#include "state.h"
#include "xmem.h"

#define STATE_MAX_REGS 1000000
#define STATE_MAX_ENTRIES (STATE_MAX_REGS + RELEASE_MAX)
#define STATE_LINE_BUF 96	/* an expire or compacted line */
#define STATE_EXPIRE "{\"expire\":"
#define STATE_COMPACTED "{\"compacted\":"
#define STATE_JOURNAL_EXT ".journal"

struct state_buf {
	char *p;
	size_t len, cap;
};

void
state_reg_event(const struct model_reg *r, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = EVENT_VERSION;
	ev->op = EVENT_OP_REGISTER;
	ev->source = r->source;
	(void)xstrlcpy(ev->host, r->host, sizeof(ev->host));
	(void)xstrlcpy(ev->vm, r->vm, sizeof(ev->vm));
	(void)xstrlcpy(ev->image, r->image, sizeof(ev->image));
	ev->has_mac = r->has_mac;
	memcpy(ev->mac, r->mac, sizeof(ev->mac));
	memcpy(ev->addrs, r->addrs, r->naddrs * sizeof(*ev->addrs));
	ev->naddrs = r->naddrs;
	ev->time = r->time;
	ev->expires = r->expires;
}

static void
state_buf_add(struct state_buf *b, const char *p, size_t n)
{
	if (b->cap - b->len < n + 1) {
		if (b->cap == 0)
			b->cap = 256;
		while (b->cap - b->len < n + 1)
			b->cap *= 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append ev as one line of the array; -1 (err naming the VM) if it cannot
 * be written out: the save fails rather than drop it. */
static int
state_add(struct state_buf *b, const struct event *ev, char *err,
    size_t errlen)
{
	char buf[EVENT_MAX_BYTES];

	if (event_to_json(ev, buf, sizeof(buf)) == -1) {
		(void)xsnprintf(err, errlen, "the %s of VM %s (host %s) cannot "
		    "be written out as an event; not saving", ev->op ==
		    EVENT_OP_RELEASE ? "release record" : "registration",
		    ev->vm, ev->host);
		return -1;
	}
	state_buf_add(b, b->len > 1 ? ",\n" : "\n", b->len > 1 ? 2 : 1);
	state_buf_add(b, buf, strlen(buf) - 1);	/* without its newline */
	return 0;
}

/* The snapshot of regs.  Release records first: loaded before the
 * registrations, they are in place when a registration is applied again. */
static int
state_build(const struct model_regs *regs, struct state_buf *b, char *err,
    size_t errlen)
{
	const struct model_reg *r;
	const struct release *rel;
	struct event ev;

	if (model_regs_count(regs) > STATE_MAX_REGS) {
		(void)xsnprintf(err, errlen, "%zu registrations, more than the "
		    "%d a state file holds; not saving", model_regs_count(regs),
		    STATE_MAX_REGS);
		return -1;
	}
	state_buf_add(b, "[", 1);
	for (rel = regs->released.by_key; rel != NULL; rel = rel->hh.next) {
		release_event(rel, &ev);
		if (state_add(b, &ev, err, errlen) == -1)
			return -1;
	}
	for (r = regs->by_vm; r != NULL; r = r->hh.next) {
		state_reg_event(r, &ev);
		if (state_add(b, &ev, err, errlen) == -1)
			return -1;
	}
	state_buf_add(b, "\n]\n", 3);
	return 0;
}

/* The journal line saying "all above is in the snapshot snap" (FNV-1a 64
 * of its bytes and its size), newline included. */
static void
state_compacted_line(const char *snap, size_t n, char line[STATE_LINE_BUF])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)snap[i]) * 0x100000001b3ULL;
	(void)xsnprintf(line, STATE_LINE_BUF, STATE_COMPACTED "\"%016" PRIx64
	    "\",\"bytes\":%zu}\n", h, n);
}

/* All of path in a NUL-terminated buffer.  0 / -1 (errno set). */
static int
state_slurp(const char *path, char **buf, size_t *len)
{
	struct stat sb;
	size_t off = 0, cap;
	ssize_t r;
	int fd, saved;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	cap = (size_t)sb.st_size + 1;
	*buf = xmalloc(cap);
	for (;;) {
		if (off + 1 == cap)
			*buf = xreallocarray(*buf, cap *= 2, 1);
		r = read(fd, *buf + off, cap - off - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	(*buf)[off] = '\0';
	*len = off;
	return 0;
fail:
	saved = errno;
	close(fd);
	free(*buf);
	*buf = NULL;
	errno = saved;
	return -1;
}

/* The entries of the snapshot text into regs. */
static int
state_load_snapshot(const char *path, const char *text, size_t len,
    struct model_regs *regs, size_t *bad, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc;
	const char *js;
	struct event ev;
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
	if (n > STATE_MAX_ENTRIES) {
		log_warnx("%s: %zu entries; only the first %d are read", path,
		    n, STATE_MAX_ENTRIES);
		*bad += n - STATE_MAX_ENTRIES;
	}
	for (i = 0; i < n && i < STATE_MAX_ENTRIES; i++) {
		js = json_object_to_json_string_ext(
		    json_object_array_get_idx(doc, i), JSON_C_TO_STRING_PLAIN);
		if (event_parse(js, strlen(js), &ev, why, sizeof(why)) == -1) {
			log_warnx("%s: entry %zu skipped, its registration is "
			    "not published: %s", path, i, why);
			(*bad)++;
			continue;
		}
		if (ev.op == EVENT_OP_RELEASE)
			release_note(&regs->released, &ev, ev.expires);
		else
			model_apply(regs, &ev);
	}
	json_object_put(doc);
	return 0;
}

/* The release record of vm from host, or NULL (key as in release.h). */
static struct release *
state_record(const struct model_regs *regs, const char *vm, const char *host)
{
	char key[2 * NAME_LABEL_BUF];
	struct release *r;

	if (xsnprintf(key, sizeof(key), "%s/%s", vm, host) == -1)
		return NULL;
	HASH_FIND_STR(regs->released.by_key, key, r);
	return r;
}

/* A journaled event again.  A release carries the end its record had
 * afterwards: the leases seen since start, which that end was counted
 * from, may have been longer than those of the registrations replayed. */
static void
state_replay_event(struct model_regs *regs, struct event *ev)
{
	int64_t floor = ev->expires;
	struct release *r;

	(void)model_apply(regs, ev);
	if (ev->op != EVENT_OP_RELEASE)
		return;
	r = state_record(regs, ev->vm, ev->host);
	if (r != NULL && floor > r->until)
		r->until = floor;
}

/* One journal line (without its newline) applied to regs. */
static int
state_replay_line(struct model_regs *regs, const char *line, size_t n,
    char *why, size_t whylen)
{
	size_t plen = strlen(STATE_EXPIRE);
	struct event ev;
	char *end;
	long long t;

	if (n > plen && strncmp(line, STATE_EXPIRE, plen) == 0) {
		errno = 0;
		t = strtoll(line + plen, &end, 10);
		if (errno != 0 || end != line + n - 1 || *end != '}' ||
		    t < 1 || t > EVENT_MAX_TIME || line[plen] < '0' ||
		    line[plen] > '9') {
			(void)xsnprintf(why, whylen, "not an expire line");
			return -1;
		}
		(void)model_expire(regs, (int64_t)t);
		return 0;
	}
	if (event_parse(line, n, &ev, why, whylen) == -1)
		return -1;
	state_replay_event(regs, &ev);
	return 0;
}

/* The lines of the journal text (whole lines: len ends after a newline)
 * into regs; jsize set to what later appends keep. */
static void
state_replay_lines(struct state_store *st, struct model_regs *regs,
    const char *text, size_t len, size_t *bad)
{
	size_t off = 0, lineno = 0, n, clen = strlen(STATE_COMPACTED);
	const char *nl;
	char why[256];

	st->jsize = len;
	while (off < len) {
		nl = memchr(text + off, '\n', len - off);
		n = (size_t)(nl - (text + off));
		lineno++;
		if (n >= clen && strncmp(text + off, STATE_COMPACTED,
		    clen) == 0) {
			/* a compaction cut short before the new snapshot
			 * was in place: the lines are not in this one */
			if (off + n + 1 == len)
				st->jsize = off;
		} else if (state_replay_line(regs, text + off, n, why,
		    sizeof(why)) == -1) {
			log_warnx("%s: line %zu skipped, its change is not "
			    "published: %s", st->jpath, lineno, why);
			(*bad)++;
			st->compact = 1;	/* rewritten without it */
		}
		off += n + 1;
	}
}

/* Replay the journal over the snapshot (snap, n bytes; NULL: none). */
static int
state_replay(struct state_store *st, struct model_regs *regs,
    const char *snap, size_t n, size_t *bad, char *err, size_t errlen)
{
	char *text, line[STATE_LINE_BUF];
	size_t len, whole, last;

	if (state_slurp(st->jpath, &text, &len) == -1) {
		if (errno == ENOENT)
			return 0;
		(void)xsnprintf(err, errlen, "%s: %s", st->jpath,
		    strerror(errno));
		return -1;
	}
	for (whole = len; whole > 0 && text[whole - 1] != '\n'; whole--)
		;
	if (whole < len)
		log_warnx("%s: its last line is incomplete (%zu bytes; a crash "
		    "while it was written?): ignored", st->jpath, len - whole);
	for (last = whole > 0 ? whole - 1 : 0; last > 0 &&
	    text[last - 1] != '\n'; last--)
		;
	if (snap != NULL)
		state_compacted_line(snap, n, line);
	if (snap != NULL && whole > 0 && strlen(line) == whole - last &&
	    memcmp(text + last, line, whole - last) == 0)
		st->jsize = 0;	/* all of it is in the snapshot */
	else
		state_replay_lines(st, regs, text, whole, bad);
	free(text);
	return 0;
}

/* The journal size past which the next commit compacts. */
static size_t
state_limit_of(const struct state_store *st)
{
	size_t lim = st->snap_size > STATE_JOURNAL_MIN ? st->snap_size :
	    STATE_JOURNAL_MIN;

	return lim > STATE_JOURNAL_MAX ? STATE_JOURNAL_MAX : lim;
}

int
state_open(struct state_store *st, const char *path, struct model_regs *regs,
    size_t *bad, char *err, size_t errlen)
{
	size_t len = 0, plen = strlen(path), evicted = regs->released.evicted;
	char *snap = NULL;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	*bad = 0;
	if (xstrlcpy(st->path, path, sizeof(st->path)) == -1 ||
	    xsnprintf(st->jpath, sizeof(st->jpath), "%.*s" STATE_JOURNAL_EXT,
	    (int)(plen > 5 && strcmp(path + plen - 5, ".json") == 0 ?
	    plen - 5 : plen), path) == -1) {
		(void)xsnprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (state_slurp(path, &snap, &len) == -1 && errno != ENOENT) {
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (snap != NULL && state_load_snapshot(path, snap, len, regs, bad,
	    err, errlen) == -1)
		goto out;
	st->snap_size = len;
	if (state_replay(st, regs, snap, len, bad, err, errlen) == -1)
		goto out;
	/* drops replayed were said when they happened */
	regs->released.evicted = evicted;
	if (*bad > 0 || st->jsize > state_limit_of(st))
		st->compact = 1;	/* rewritten whole at the next commit */
	rc = 0;
out:
	free(snap);
	return rc;
}

void
state_close(struct state_store *st)
{
	free(st->pend);
	memset(st, 0, sizeof(*st));
}

int
state_load(const char *path, struct model_regs *regs, size_t *bad, char *err,
    size_t errlen)
{
	struct state_store st;
	int rc;

	rc = state_open(&st, path, regs, bad, err, errlen);
	state_close(&st);
	return rc;
}

/* One line (newline included) for the next commit; too many waiting (a
 * directory out of reach for long): the next commit compacts instead. */
static void
state_pend(struct state_store *st, const char *line, size_t n)
{
	struct state_buf b = { st->pend, st->npend, st->pendcap };

	if (st->compact)
		return;		/* the snapshot will hold it */
	if (st->npend + n > STATE_JOURNAL_MAX) {
		state_changed(st);
		return;
	}
	state_buf_add(&b, line, n);
	st->pend = b.p;
	st->npend = b.len;
	st->pendcap = b.cap;
}

void
state_changed(struct state_store *st)
{
	st->compact = 1;
	st->npend = 0;
}

void
state_note(struct state_store *st, const struct model_regs *regs,
    const struct event *ev, int changed)
{
	const struct model_reg *reg;
	const struct release *r;
	char buf[EVENT_MAX_BYTES];
	struct event e;

	if (ev->op != EVENT_OP_RELEASE && !changed)
		return;		/* stale or held back: nothing changed */
	e = *ev;
	if (ev->op == EVENT_OP_RELEASE) {
		/* stale (older than the registration): nothing changed */
		HASH_FIND_STR(regs->by_vm, ev->vm, reg);
		if (reg != NULL && reg->time > ev->time)
			return;
		r = state_record(regs, ev->vm, ev->host);
		e.expires = r != NULL && r->until > r->time ? r->until : 0;
	}
	if (event_to_json(&e, buf, sizeof(buf)) == -1) {
		state_changed(st);	/* the save says which */
		return;
	}
	state_pend(st, buf, strlen(buf));
}

size_t
state_expire(struct state_store *st, struct model_regs *regs, int64_t now)
{
	size_t nrel = release_count(&regs->released), n;
	char line[STATE_LINE_BUF];

	n = model_expire(regs, now);
	if (n == 0 && release_count(&regs->released) == nrel)
		return 0;
	if (now < 1 || now > EVENT_MAX_TIME)
		state_changed(st);
	else {
		(void)xsnprintf(line, sizeof(line), STATE_EXPIRE "%lld}\n",
		    (long long)now);
		state_pend(st, line, strlen(line));
	}
	return n;
}

/* Write p (whole lines) at the end of the journal's whole lines (a torn
 * tail cut off first), fsync it (and the folder when it is new). */
static int
state_append(struct state_store *st, const char *p, size_t n, char *err,
    size_t errlen)
{
	struct stat sb;
	int fd, saved;

	fd = open(st->jpath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd == -1)
		goto fail;
	if (fstat(fd, &sb) == -1)
		goto fail_fd;
	if ((size_t)sb.st_size < st->jsize) {
		close(fd);
		state_changed(st);	/* cut by someone: write it whole */
		(void)xsnprintf(err, errlen, "%s: shorter than written",
		    st->jpath);
		errno = ESTALE;
		return -1;
	}
	if (((size_t)sb.st_size > st->jsize &&
	    ftruncate(fd, (off_t)st->jsize) == -1) ||
	    lseek(fd, (off_t)st->jsize, SEEK_SET) == -1 ||
	    atomic_write_all(fd, p, n) == -1 || fsync(fd) == -1) {
		saved = errno;
		(void)ftruncate(fd, (off_t)st->jsize);
		errno = saved;
		goto fail_fd;
	}
	if (close(fd) == -1 || (st->jsize == 0 &&
	    atomic_sync_dir(st->jpath) == -1))
		goto fail;
	st->jsize += n;
	return 0;
fail_fd:
	saved = errno;
	close(fd);
	errno = saved;
fail:
	(void)xsnprintf(err, errlen, "%s: %s", st->jpath, strerror(errno));
	return -1;
}

int
state_save(struct state_store *st, const struct model_regs *regs, char *err,
    size_t errlen)
{
	struct state_buf b = { 0 };
	char line[STATE_LINE_BUF];
	int rc = -1, gone;

	if (state_build(regs, &b, err, errlen) == -1)
		goto out;
	/* the journal says it is folded in before the snapshot that holds
	 * it is in place: a crash in between replays it once, not twice */
	state_compacted_line(b.p, b.len, line);
	if (st->jsize > 0 && state_append(st, line, strlen(line), err,
	    errlen) == -1) {
		if (errno != ESTALE)
			goto out;
		st->jsize = 0;	/* cut by someone: removed below */
	}
	/* without lines of ours, what is there is in the old snapshot or
	 * cut short: it goes first, so it is never replayed over the new */
	gone = st->jsize == 0;
	if (gone && unlink(st->jpath) == -1 && errno != ENOENT) {
		(void)xsnprintf(err, errlen, "%s: %s", st->jpath,
		    strerror(errno));
		goto out;
	}
	if (atomic_write(st->path, b.p, b.len, 0640, err, errlen) == -1)
		goto out;
	st->snap_size = b.len;
	st->jsize = 0;
	st->npend = 0;
	st->compact = 0;
	if (!gone && unlink(st->jpath) == -1 && errno != ENOENT)
		log_warn("%s: cannot remove it (its last line says it is in "
		    "the snapshot)", st->jpath);
	rc = 0;
out:
	free(b.p);
	return rc;
}

int
state_commit(struct state_store *st, const struct model_regs *regs,
    char *err, size_t errlen)
{
	if (!st->compact && st->npend == 0)
		return 0;
	if (!st->compact && st->jsize + st->npend <= state_limit_of(st)) {
		if (state_append(st, st->pend, st->npend, err, errlen) == 0) {
			st->npend = 0;
			return 0;
		}
		if (!st->compact)
			return -1;	/* kept for the next commit */
	}
	return state_save(st, regs, err, errlen);
}
