/*
 * capstate.c - the lease table of vmgroup-capture and its file
 * (capstate.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "atomic.h"
#include "capmap.h"
#include "capstate.h"
#include "log.h"
#include "xmem.h"

#define HEADER "# vmgroup-capture leases 1\n"
#define LINE_BUF 4096			/* a line of 16 + 16 addresses fits */
#define FILE_MAX (64L * 1024 * 1024)

#if !defined(HASH_FIND_BYHASHVALUE) || !defined(HASH_EXPAND_BUCKETS)
#error "uthash 2.1 or later wanted (by hash value, bucket expansion)"
#endif

/* The table's own hash of a MAC (every find and add of the table is here,
 * by hash value; uthash's HASH_FUNCTION stays as it is for the others):
 * a multiply and a fold, for 6 bytes a fraction of HASH_JEN's work. */
static unsigned
mac_hash(const uint8_t mac[6])
{
	uint64_t k = (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
	    (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 |
	    (uint64_t)mac[4] << 8 | mac[5];

	k *= 0x9e3779b97f4a7c15ULL;
	return (unsigned)(k ^ k >> 32);
}

static struct capstate_entry *
entry_new(const uint8_t mac[6])
{
	void *p;
	struct capstate_entry *e;

	if (posix_memalign(&p, 64, sizeof(*e)) != 0)
		fatalx("out of memory (a lease entry)");
	e = memset(p, 0, sizeof(*e));
	memcpy(e->mac, mac, 6);
	return e;
}

static void
entry_free(struct capstate_entry *e)
{
	free(e->more);
	free(e);
}

/* uthash grows its table only when a chain reaches 10 entries (~3 each
 * on average then, each step a cold entry to a lookup): grown here at
 * more than one entry a bucket (unless uthash found growing of no use). */
static void
add(struct capstate *s, struct capstate_entry *e, unsigned hv)
{
	UT_hash_table *tbl;
	int oomed = 0;

	HASH_ADD_BYHASHVALUE(hh, s->h, mac, 6, hv, e);
	tbl = s->h->hh.tbl;
	if (tbl->num_items > tbl->num_buckets && !tbl->noexpand)
		HASH_EXPAND_BUCKETS(&s->h->hh, tbl, oomed);
	(void)oomed;			/* out of memory: uthash_fatal */
}

struct capstate_entry *
capstate_get(struct capstate *s, const uint8_t mac[6], int create)
{
	struct capstate_entry *e = NULL;
	unsigned hv;

	if (s->last != NULL && memcmp(s->last->mac, mac, 6) == 0)
		return s->last;
	hv = mac_hash(mac);
	HASH_FIND_BYHASHVALUE(hh, s->h, mac, 6, hv, e);
	if (e == NULL && create) {
		e = entry_new(mac);
		add(s, e, hv);
	}
	if (e != NULL)
		s->last = e;
	return e;
}

void
capstate_room(struct capstate_entry *e, size_t n)
{
	if (n > CAPSTATE_INLINE && e->more == NULL)
		e->more = xcalloc(EVENT_MAX_ADDRS - CAPSTATE_INLINE,
		    sizeof(*e->more));
}

void
capstate_set_names(struct capstate_entry *e, const char *vm,
    const char *asked, const char *image)
{
	const char *n[3] = { vm, asked, image };
	char buf[sizeof(e->names)];
	uint8_t at[3];
	size_t i, len, used = 0;

	for (i = 0; i < 3; i++) {
		if (n[i] == NULL)
			n[i] = e->names + e->at[i];
		len = strnlen(n[i], NAME_LABEL_BUF - 1);
		memcpy(buf + used, n[i], len);
		buf[used + len] = '\0';
		at[i] = (uint8_t)used;
		used += len + 1;
	}
	memcpy(e->names, buf, used);
	memcpy(e->at, at, sizeof(at));
}

void
capstate_free(struct capstate *s)
{
	struct capstate_entry *e, *tmp;

	HASH_ITER(hh, s->h, e, tmp) {
		HASH_DEL(s->h, e);
		entry_free(e);
	}
	s->last = NULL;
}

void
capstate_prune(struct capstate *s, int64_t now, int64_t idle)
{
	struct capstate_entry *e, *tmp;

	HASH_ITER(hh, s->h, e, tmp) {
		if (e->naddrs == 0 && e->nsent == 0 && e->seen < now - idle) {
			if (s->last == e)
				s->last = NULL;
			HASH_DEL(s->h, e);
			entry_free(e);
			s->dirty = 1;
		}
	}
}

/* One entry as a line into line (LINE_BUF).  0 / -1. */
static int
entry_line(const struct capstate_entry *e, char *line)
{
	static const enum capstate_name which[3] = { CAPSTATE_VM,
	    CAPSTATE_IMAGE, CAPSTATE_ASKED };
	static const char *const key[3] = { " vm=", " image=", " asked=" };
	char mac[CAPMAP_MAC_BUF], a[64], part[128];
	const struct capstate_slot *h;
	size_t i;
	int rc = 0;

	capmap_format_mac(e->mac, mac);
	rc |= xsnprintf(line, LINE_BUF, "%s seen=%lld", mac,
	    (long long)e->seen);
	for (i = 0; i < 3; i++)
		if (capstate_name(e, which[i])[0] != '\0')
			rc |= xstrlcat(line, key[i], LINE_BUF) |
			    xstrlcat(line, capstate_name(e, which[i]),
			    LINE_BUF);
	for (i = 0; i < e->naddrs; i++) {
		h = capstate_cslot(e, i);
		rc |= event_addr_format(&h->a, a, sizeof(a));
		rc |= xsnprintf(part, sizeof(part), " a=%s/%lld", a,
		    (long long)h->expires);
		rc |= xstrlcat(line, part, LINE_BUF);
	}
	if (e->sent_expires != 0) {
		rc |= xsnprintf(part, sizeof(part), " x=%lld",
		    (long long)e->sent_expires);
		rc |= xstrlcat(line, part, LINE_BUF);
	}
	for (i = 0; i < e->nsent; i++) {
		rc |= event_addr_format(&capstate_cslot(e, i)->sent, a,
		    sizeof(a));
		rc |= xstrlcat(line, " s=", LINE_BUF) |
		    xstrlcat(line, a, LINE_BUF);
	}
	rc |= xstrlcat(line, "\n", LINE_BUF);
	return rc == 0 ? 0 : -1;
}

int
capstate_save(const struct capstate *s, const char *path, char *err,
    size_t errlen)
{
	const struct capstate_entry *e;
	char line[LINE_BUF];
	size_t len = strlen(HEADER), cap = 4096, n;
	char *buf = xmalloc(cap);
	int rc = -1;

	memcpy(buf, HEADER, len);
	for (e = s->h; e != NULL; e = e->hh.next) {
		if (entry_line(e, line) == -1) {
			(void)xsnprintf(err, errlen, "a lease line too long");
			goto out;
		}
		n = strlen(line);
		while (cap - len < n) {
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		memcpy(buf + len, line, n);
		len += n;
	}
	rc = atomic_write(path, buf, len, 0640, err, errlen);
out:
	free(buf);
	return rc;
}

/* "T" -> *v, 0 to EVENT_MAX_TIME.  0 / -1. */
static int
parse_time(const char *s, int64_t *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 0 ||
	    n > EVENT_MAX_TIME)
		return -1;
	*v = n;
	return 0;
}

/* "ADDR/EXPIRES" -> the entry's next address.  0 / -1. */
static int
parse_held(struct capstate_entry *e, char *v)
{
	char *slash = strrchr(v, '/'), why[128];
	struct capstate_slot *h;

	if (slash == NULL || e->naddrs >= EVENT_MAX_ADDRS)
		return -1;
	*slash = '\0';
	capstate_room(e, e->naddrs + 1u);
	h = capstate_slot(e, e->naddrs);
	if (addr_parse(v, &h->a, why, sizeof(why)) != 0 ||
	    parse_time(slash + 1, &h->expires) == -1)
		return -1;
	e->naddrs++;
	return 0;
}

/* "ADDR": the entry's next sent address.  0 / -1. */
static int
parse_sent(struct capstate_entry *e, const char *v)
{
	char why[128];

	if (e->nsent >= EVENT_MAX_ADDRS)
		return -1;
	capstate_room(e, e->nsent + 1u);
	if (addr_parse(v, &capstate_slot(e, e->nsent)->sent, why,
	    sizeof(why)) != 0)
		return -1;
	e->nsent++;
	return 0;
}

/* A name token's value (check: name_vm_check or name_label_check) as
 * name n of e.  0 / -1. */
static int
parse_name(struct capstate_entry *e, enum capstate_name n, const char *v,
    int (*check)(const char *, char *, char *, size_t))
{
	char name[NAME_LABEL_BUF];

	if (check(v, name, NULL, 0) != 0)
		return -1;
	capstate_set_names(e, n == CAPSTATE_VM ? name : NULL,
	    n == CAPSTATE_ASKED ? name : NULL,
	    n == CAPSTATE_IMAGE ? name : NULL);
	return 0;
}

static int
parse_token(struct capstate_entry *e, char *t)
{
	if (strncmp(t, "seen=", 5) == 0)
		return parse_time(t + 5, &e->seen);
	if (strncmp(t, "vm=", 3) == 0)
		return parse_name(e, CAPSTATE_VM, t + 3, name_vm_check);
	if (strncmp(t, "image=", 6) == 0)
		return parse_name(e, CAPSTATE_IMAGE, t + 6, name_label_check);
	if (strncmp(t, "asked=", 6) == 0)
		return parse_name(e, CAPSTATE_ASKED, t + 6, name_vm_check);
	if (strncmp(t, "x=", 2) == 0)
		return parse_time(t + 2, &e->sent_expires);
	if (strncmp(t, "a=", 2) == 0)
		return parse_held(e, t + 2);
	if (strncmp(t, "s=", 2) == 0)
		return parse_sent(e, t + 2);
	return -1;
}

/* The sent addresses of e sorted (a file's may be in any order). */
static void
sort_sent(struct capstate_entry *e)
{
	struct event_addr a[EVENT_MAX_ADDRS];
	size_t i;

	for (i = 0; i < e->nsent; i++)
		a[i] = capstate_slot(e, i)->sent;
	qsort(a, e->nsent, sizeof(a[0]), event_addr_qcmp);
	for (i = 0; i < e->nsent; i++)
		capstate_slot(e, i)->sent = a[i];
}

/* One line (NUL-terminated, no newline) into s.  0 / -1. */
static int
load_line(struct capstate *s, char *line)
{
	struct capstate_entry tmp, *e;
	char *t = line, *sp;
	uint8_t mac[6];
	int rc = -1;

	memset(&tmp, 0, sizeof(tmp));
	if ((sp = strchr(t, ' ')) != NULL)
		*sp = '\0';
	if (capmap_parse_mac(t, mac) == -1)
		goto out;
	while (sp != NULL) {
		t = sp + 1;
		if ((sp = strchr(t, ' ')) != NULL)
			*sp = '\0';
		if (parse_token(&tmp, t) == -1)
			goto out;
	}
	sort_sent(&tmp);
	if (capstate_get(s, mac, 0) != NULL)
		goto out;
	e = capstate_get(s, mac, 1);
	memcpy(&tmp.hh, &e->hh, sizeof(tmp.hh));
	memcpy(tmp.mac, mac, 6);
	*e = tmp;
	tmp.more = NULL;		/* e's now */
	rc = 0;
out:
	free(tmp.more);
	return rc;
}

static int
load_buf(struct capstate *s, char *buf, const char *path)
{
	size_t lineno = 0;
	char *line = buf, *nl;

	for (; *line != '\0'; line = nl + 1) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL) {
			log_warnx("%s: line %zu cut short; skipped", path,
			    lineno);
			break;
		}
		*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (load_line(s, line) == -1)
			log_warnx("%s: line %zu is no lease entry; skipped",
			    path, lineno);
	}
	return 0;
}

int
capstate_load(struct capstate *s, const char *path)
{
	struct stat st;
	FILE *fp;
	char *buf = NULL;
	size_t n;
	int rc = -1;

	capstate_free(s);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s", path);
		return -1;
	}
	if (fstat(fileno(fp), &st) == -1 || st.st_size > FILE_MAX) {
		log_warnx("%s: cannot be read (over %ld bytes?)", path,
		    FILE_MAX);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 2);
	n = fread(buf, 1, (size_t)st.st_size + 1, fp);
	if (ferror(fp) || n > (size_t)st.st_size) {
		log_warnx("%s: cannot be read whole (changed while read?)",
		    path);
		goto out;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL)
		log_warnx("%s: holds a NUL byte; read up to it", path);
	rc = load_buf(s, buf, path);
	s->dirty = 0;
out:
	free(buf);
	fclose(fp);
	return rc;
}
