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
#include "stateload.h"
#include "xmem.h"

#define STATE_MAX_REGS 1000000	/* stateload.c reads as many, and records */
#define STATE_PEND_KEEP 4096	/* a pend buffer kept between commits */
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

/* The journal line saying "all above is in the snapshot of FNV-1a 64 fnv
 * and n bytes", newline included. */
static void
state_compacted_line(uint64_t fnv, size_t n, char line[STATE_LINE_BUF])
{
	(void)xsnprintf(line, STATE_LINE_BUF, STATE_COMPACTED "\"%016" PRIx64
	    "\",\"bytes\":%zu}\n", fnv, n);
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

/* Replay the journal over the snapshot (as read: snap). */
static int
state_replay(struct state_store *st, struct model_regs *regs,
    const struct stateload_info *snap, size_t *bad, char *err, size_t errlen)
{
	char *text, line[STATE_LINE_BUF];
	size_t len, whole, last;

	if (stateload_slurp(st->jpath, &text, &len) == -1) {
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
	if (snap->found)
		state_compacted_line(snap->fnv, snap->size, line);
	if (snap->found && whole > 0 && strlen(line) == whole - last &&
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
	return state_open_ticking(st, path, regs, NULL, bad, err, errlen);
}

int
state_open_ticking(struct state_store *st, const char *path,
    struct model_regs *regs, const struct stateload_tick *tick, size_t *bad,
    char *err, size_t errlen)
{
	size_t plen = strlen(path), evicted = regs->released.evicted;
	struct stateload_info snap;

	memset(st, 0, sizeof(*st));
	*bad = 0;
	if (xstrlcpy(st->path, path, sizeof(st->path)) == -1 ||
	    xsnprintf(st->jpath, sizeof(st->jpath), "%.*s" STATE_JOURNAL_EXT,
	    (int)(plen > 5 && strcmp(path + plen - 5, ".json") == 0 ?
	    plen - 5 : plen), path) == -1) {
		(void)xsnprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (stateload_snapshot(path, regs, bad, &snap, tick, err, errlen) == -1)
		return -1;
	st->snap_size = snap.size;
	if (state_replay(st, regs, &snap, bad, err, errlen) == -1)
		return -1;
	/* drops replayed were said when they happened */
	regs->released.evicted = evicted;
	if (*bad > 0 || st->jsize > state_limit_of(st))
		st->compact = 1;	/* rewritten whole at the next commit */
	return 0;
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
	/* past the limit the next commit compacts anyway (neither jsize
	 * nor the limit change before it): no need to keep the lines */
	if (st->npend + n > STATE_JOURNAL_MAX ||
	    st->jsize + st->npend + n > state_limit_of(st)) {
		state_changed(st);
		return;
	}
	state_buf_add(&b, line, n);
	st->pend = b.p;
	st->npend = b.len;
	st->pendcap = b.cap;
}

/* No lines waiting: their buffer freed when it grew beyond the small. */
static void
state_pend_clear(struct state_store *st)
{
	st->npend = 0;
	if (st->pendcap > STATE_PEND_KEEP) {
		free(st->pend);
		st->pend = NULL;
		st->pendcap = 0;
	}
}

void
state_changed(struct state_store *st)
{
	st->compact = 1;
	state_pend_clear(st);
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
		if (ftruncate(fd, (off_t)st->jsize) == -1) {
			/* left as it is: the next append cuts the file
			 * back to jsize before it writes */
		}
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
	state_compacted_line(stateload_fnv(STATELOAD_FNV_INIT, b.p, b.len),
	    b.len, line);
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
	state_pend_clear(st);
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
			state_pend_clear(st);
			return 0;
		}
		if (!st->compact)
			return -1;	/* kept for the next commit */
	}
	return state_save(st, regs, err, errlen);
}
