/*
 * own.c - the ownership record, a JSON file in the state folder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "log.h"
#include "own.h"
#include "ownread.h"
#include "ownset.h"
#include "xmem.h"

static const char *const own_keys[OWN_NKINDS] = { "nodes", "groups" };
static const char own_kind_char[OWN_NKINDS] = { 'n', 'g' };

/* The journal's size beyond which the file is rewritten instead. */
static size_t
own_limit(const struct own *o)
{
	return o->snapshot > OWN_JOURNAL_MIN ? o->snapshot : OWN_JOURNAL_MIN;
}

/* Queue one journal line: "+n DN" (added) or "-g DN" (removed). */
static void
own_note(struct own *o, char op, enum own_kind k, const char *dn)
{
	size_t len = strlen(dn) + 4;

	if (o->path[0] == '\0' || o->compact)
		return;		/* not from a file; or the file is rewritten */
	if (o->journal + o->npending + len > own_limit(o)) {
		free(o->pending);	/* the next save rewrites the file */
		o->pending = NULL;
		o->npending = 0;
		o->compact = 1;
		return;
	}
	o->pending = xreallocarray(o->pending, o->npending + len + 1, 1);
	o->pending[o->npending] = op;
	o->pending[o->npending + 1] = own_kind_char[k];
	o->pending[o->npending + 2] = ' ';
	memcpy(o->pending + o->npending + 3, dn, len - 4);
	o->pending[o->npending + len - 1] = '\n';
	o->npending += len;
}

int
own_has(const struct own *o, enum own_kind k, const char *dn)
{
	return ownset_has(&o->set[k], dn);
}

void
own_add(struct own *o, enum own_kind k, const char *dn)
{
	if (!ownset_add(&o->set[k], dn))
		return;
	o->dirty = 1;
	own_note(o, '+', k, dn);
}

void
own_del(struct own *o, enum own_kind k, const char *dn)
{
	if (!ownset_has(&o->set[k], dn))
		return;
	own_note(o, '-', k, dn);
	(void)ownset_del(&o->set[k], dn);
	o->dirty = 1;
}

size_t
own_count(const struct own *o, enum own_kind k)
{
	return o->set[k].n;
}

void
own_free(struct own *o)
{
	int k;

	for (k = 0; k < OWN_NKINDS; k++)
		ownset_free(&o->set[k]);
	free(o->pending);
	o->pending = NULL;
	o->npending = 0;
	o->dirty = 0;
}

/* The next byte of r's DN from *p (its RDN, then a comma and its parent),
 * 0 at its end. */
static unsigned char
own_ref_byte(const struct own_ref *r, const char **p, int *in_parent)
{
	if (**p != '\0')
		return (unsigned char)*(*p)++;
	if (!*in_parent && r->parent != NULL) {
		*in_parent = 1;
		*p = r->parent;
		return ',';
	}
	return 0;
}

/* The DNs' order: strcmp's. */
static int
own_ref_cmp(const void *a, const void *b)
{
	const struct own_ref *x = a, *y = b;
	const char *p = x->rdn, *q = y->rdn;
	int xin = 0, yin = 0;
	unsigned char c, d;

	do {
		c = own_ref_byte(x, &p, &xin);
		d = own_ref_byte(y, &q, &yin);
	} while (c == d && c != 0);
	return (int)c - (int)d;
}

/* r's DN into *buf (grown as needed); its length. */
static size_t
own_ref_dn(const struct own_ref *r, char **buf, size_t *cap)
{
	size_t rlen = strlen(r->rdn);
	size_t plen = r->parent != NULL ? strlen(r->parent) + 1 : 0;

	if (rlen + plen + 1 > *cap) {
		*cap = rlen + plen + 1;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf, r->rdn, rlen);
	if (r->parent != NULL) {
		(*buf)[rlen] = ',';
		memcpy(*buf + rlen + 1, r->parent, plen - 1);
	}
	(*buf)[rlen + plen] = '\0';
	return rlen + plen;
}

size_t
own_walk_begin(struct own_walk *w, const struct own *o, enum own_kind k)
{
	const struct ownset *set = &o->set[k];
	size_t i;

	memset(w, 0, sizeof(*w));
	w->refs = xcalloc(set->n + 1, sizeof(*w->refs));
	for (i = 0; i < set->cap; i++) {
		if (set->map[i] == NULL)
			continue;
		w->refs[w->n].rdn = set->map[i]->rdn;
		w->refs[w->n++].parent = ownset_parent(set, set->map[i]);
	}
	qsort(w->refs, w->n, sizeof(*w->refs), own_ref_cmp);
	return w->n;
}

/* Does the DN of e (in set) lie directly under parent? */
static int
own_under(const struct ownset *set, const struct ownset_entry *e,
    const char *parent)
{
	const char *p = ownset_parent(set, e), *comma;

	if (p != NULL)
		return strcmp(p, parent) == 0;
	/* a DN kept whole (beyond the shared parents): its own rest */
	for (comma = e->rdn; (comma = strchr(comma, ',')) != NULL; comma++)
		if (comma == e->rdn || comma[-1] != '\\')
			return strcmp(comma + 1, parent) == 0;
	return 0;
}

size_t
own_walk_under(struct own_walk *w, const struct own *o, enum own_kind k,
    const char *parent)
{
	const struct ownset *set = &o->set[k];
	size_t i;

	memset(w, 0, sizeof(*w));
	w->refs = xcalloc(set->n + 1, sizeof(*w->refs));
	for (i = 0; i < set->cap; i++) {
		if (set->map[i] == NULL || (parent != NULL &&
		    !own_under(set, set->map[i], parent)))
			continue;
		w->refs[w->n].rdn = set->map[i]->rdn;
		w->refs[w->n++].parent = ownset_parent(set, set->map[i]);
	}
	return w->n;
}

const char *
own_walk_next(struct own_walk *w)
{
	if (w->i == w->n)
		return NULL;
	(void)own_ref_dn(&w->refs[w->i++], &w->dn, &w->cap);
	return w->dn;
}

void
own_walk_end(struct own_walk *w)
{
	free(w->refs);
	free(w->dn);
	memset(w, 0, sizeof(*w));
}

const char **
own_list(const struct own *o, enum own_kind k, size_t *count)
{
	struct own_walk w;
	const char **dns, *dn;
	size_t i, bytes = 0, len;
	char *at;

	(void)own_walk_begin(&w, o, k);
	for (i = 0; i < w.n; i++)
		bytes += strlen(w.refs[i].rdn) + 1 + (w.refs[i].parent ?
		    strlen(w.refs[i].parent) + 1 : 0);
	dns = xcalloc(1, (w.n + 1) * sizeof(*dns) + bytes);
	at = (char *)(dns + w.n + 1);
	for (i = 0; (dn = own_walk_next(&w)) != NULL; i++) {
		len = strlen(dn) + 1;
		memcpy(at, dn, len);
		dns[i] = at;
		at += len;
	}
	*count = w.n;
	own_walk_end(&w);
	return dns;
}

static void
own_load_one(void *ctx, int kind, const char *dn)
{
	own_add(ctx, (enum own_kind)kind, dn);
}

/* <path>.journal */
static int
own_journal_path(const struct own *o, char *out, size_t outlen)
{
	return xsnprintf(out, outlen, "%s.journal", o->path);
}

/* Apply one journal line (without its newline); bad lines are skipped. */
static void
own_replay_line(struct own *o, const char *line, size_t len)
{
	char dn[2048];
	int k;

	if (len < 4 || len - 3 >= sizeof(dn) || line[2] != ' ')
		return;
	for (k = 0; k < OWN_NKINDS && own_kind_char[k] != line[1]; k++)
		;
	if (k == OWN_NKINDS || (line[0] != '+' && line[0] != '-'))
		return;
	memcpy(dn, line + 3, len - 3);
	dn[len - 3] = '\0';
	if (line[0] == '+')
		own_add(o, (enum own_kind)k, dn);
	else
		own_del(o, (enum own_kind)k, dn);
}

/* Replay the journal over the loaded file; a last line without its
 * newline (cut short by a crash) is left out. */
static int
own_replay(struct own *o, char *err, size_t errlen)
{
	char jpath[PATH_MAX + 16], *buf = NULL, *p, *nl;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	if (own_journal_path(o, jpath, sizeof(jpath)) == -1)
		return 0;
	if ((f = fopen(jpath, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	buf = xmalloc(OWN_JOURNAL_MIN);
	for (;;) {
		size_t got = fread(buf + len, 1, OWN_JOURNAL_MIN - 1, f);

		len += got;
		if (got < OWN_JOURNAL_MIN - 1)
			break;
		buf = xreallocarray(buf, len + OWN_JOURNAL_MIN, 1);
	}
	if (ferror(f)) {
		(void)xsnprintf(err, errlen, "%s: cannot read it", jpath);
		rc = -1;
	}
	fclose(f);
	for (p = buf; rc == 0 && (nl = memchr(p, '\n', len - (size_t)(p -
	    buf))) != NULL; p = nl + 1)
		own_replay_line(o, p, (size_t)(nl - p));
	o->journal = len;
	free(buf);
	return rc;
}

int
own_load(struct own *o, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->compact = 1;		/* no journal lines for what is loaded */
	if (xstrlcpy(o->path, path, sizeof(o->path)) == -1) {
		(void)xsnprintf(err, errlen, "state path too long");
		return -1;
	}
	switch (ownread_file(path, own_keys, OWN_NKINDS, own_load_one, o, err,
	    errlen)) {
	case -1:
		return -1;
	case 0:
		if (stat(path, &st) == 0)
			o->snapshot = (size_t)st.st_size;
		break;
	default:	/* none yet */
		break;
	}
	if (own_replay(o, err, errlen) == -1)
		return -1;
	o->compact = 0;
	o->dirty = 0;
	return 0;
}

/* Bytes of dn as a JSON string, quotes included; with out, written. */
static size_t
own_json_str(const char *dn, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *c;
	size_t n = 1;

	if (out != NULL)
		out[0] = '"';
	for (c = (const unsigned char *)dn; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\') {
			if (out != NULL) {
				out[n] = '\\';
				out[n + 1] = (char)*c;
			}
			n += 2;
		} else if (*c < 0x20) {
			if (out != NULL) {
				memcpy(out + n, "\\u00", 4);
				out[n + 4] = hex[*c >> 4];
				out[n + 5] = hex[*c & 15];
			}
			n += 6;
		} else {
			if (out != NULL)
				out[n] = (char)*c;
			n++;
		}
	}
	if (out != NULL)
		out[n] = '"';
	return n + 1;
}

/* Put s at out + at (out NULL: only count); its length. */
static size_t
own_put(char *out, size_t at, const char *s)
{
	size_t n = strlen(s);

	if (out != NULL)
		memcpy(out + at, s, n);
	return n;
}

/* The record as JSON text (one DN a line), in one right-sized block:
 * 2 passes over the sorted DNs, the first to size it.  *len its length
 * (NUL-terminated). */
static char *
own_json(const struct own *o, size_t *len)
{
	struct own_walk w[OWN_NKINDS];
	size_t i, at = 0;
	char *text = NULL;
	int k, pass;

	for (k = 0; k < OWN_NKINDS; k++)
		(void)own_walk_begin(&w[k], o, (enum own_kind)k);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			text = xcalloc(1, at + 1);
		at = 0;
		for (k = 0; k < OWN_NKINDS; k++) {
			at += own_put(text, at, k ? ",\n  \"" : "{\n  \"");
			at += own_put(text, at, own_keys[k]);
			at += own_put(text, at, "\": [");
			for (i = 0; i < w[k].n; i++) {
				at += own_put(text, at, i ? ",\n    " :
				    "\n    ");
				(void)own_ref_dn(&w[k].refs[i], &w[k].dn,
				    &w[k].cap);
				at += own_json_str(w[k].dn, text ? text +
				    at : NULL);
			}
			at += own_put(text, at, w[k].n ? "\n  ]" : "]");
		}
		at += own_put(text, at, "\n}\n");
	}
	for (k = 0; k < OWN_NKINDS; k++)
		own_walk_end(&w[k]);
	*len = at;
	return text;
}

/* Rewrite the whole file, then drop the journal it now holds. */
static int
own_compact(struct own *o, char *err, size_t errlen)
{
	char jpath[PATH_MAX + 16], *text;
	size_t len;
	int rc;

	/* the pending lines are in the file now: gone before it is built */
	free(o->pending);
	o->pending = NULL;
	o->npending = 0;
	text = own_json(o, &len);
	rc = atomic_write(o->path, text, len, 0640, err, errlen);
	free(text);
	if (rc == 0) {
		o->snapshot = len;
		o->compact = 0;
		if (own_journal_path(o, jpath, sizeof(jpath)) == 0 &&
		    unlink(jpath) == -1 && errno != ENOENT)
			log_warn("cannot remove %s", jpath);
		o->journal = 0;
	}
	return rc;
}

/* Append the pending lines to the journal and make them durable. */
static int
own_append(struct own *o, char *err, size_t errlen)
{
	char jpath[PATH_MAX + 16];
	int fd, created, rc = -1;

	if (own_journal_path(o, jpath, sizeof(jpath)) == -1) {
		(void)xsnprintf(err, errlen, "state path too long");
		return -1;
	}
	created = access(jpath, F_OK) == -1;
	fd = open(jpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1 || atomic_write_all(fd, o->pending, o->npending) == -1 ||
	    fsync(fd) == -1 || (created && atomic_sync_dir(o->path) == -1))
		(void)xsnprintf(err, errlen, "%s: %s", jpath, strerror(errno));
	else
		rc = 0;
	if (fd != -1)
		close(fd);
	return rc;
}

int
own_save(struct own *o, char *err, size_t errlen)
{
	size_t limit;
	int rc;

	if (!o->dirty)
		return 0;
	limit = own_limit(o);
	if (o->compact || o->journal + o->npending > limit ||
	    o->npending == 0)
		rc = own_compact(o, err, errlen);
	else if ((rc = own_append(o, err, errlen)) == 0)
		o->journal += o->npending;
	if (rc == 0) {
		free(o->pending);
		o->pending = NULL;
		o->npending = 0;
		o->dirty = 0;
	}
	return rc;
}

int
own_flush(struct own *o, char *err, size_t errlen)
{
	if (o->path[0] == '\0' || (o->journal == 0 && o->npending == 0 &&
	    !o->compact))
		return 0;
	if (own_compact(o, err, errlen) == -1)
		return -1;
	free(o->pending);
	o->pending = NULL;
	o->npending = 0;
	o->dirty = 0;
	return 0;
}
