/*
 * dirnode.c - dnsNodes in the directory: read, add, constrained update,
 * tombstone, paged scans of a zone, and writes pipelined on the one
 * connection.  The other half of the directory module (dir.c: the
 * session, entries, vmGroup objects); both speak LDAP, nothing else does.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "dir.h"
#include "dirpriv.h"
#include "dn.h"
#include "xmem.h"

#define DIR_PAGE 500		/* entries per page of a scan */

static char attr_objectclass[] = "objectClass", attr_dc[] = "dc",
    attr_dnsrecord[] = "dnsRecord", attr_tombstoned[] = "dNSTombstoned",
    attr_sd[] = "nTSecurityDescriptor", attr_creator[] = "creatorsName";
static char val_top[] = "top", val_dnsnode[] = "dnsNode",
    val_true[] = "TRUE", val_false[] = "FALSE";
/* with its owner (dirown.c) */
static char *const node_attrs[] = { attr_dnsrecord, attr_tombstoned, attr_sd,
    attr_creator, NULL };
/* a scan asks for the DC value too: the node's name without parsing its
 * DN (thousands a pass); a look-up (a filter: a few names) their owners
 * too, a zone scan not (every node's owner, mostly the same, would cost
 * a fifth more bytes to read and decrypt: its caller reads the owners of
 * the few nodes it needs them for, dir_node_read) */
static char *const scan_attrs[] = { attr_dnsrecord, attr_tombstoned, attr_dc,
    NULL };
static char *const lookup_attrs[] = { attr_dnsrecord, attr_tombstoned,
    attr_dc, attr_sd, attr_creator, NULL };

void
dir_node_free(struct dir_node *n)
{
	if (n->held != NULL)
		ldap_value_free_len(n->held);
	free(n->values);
	memset(n, 0, sizeof(*n));
}

static void
dir_node_fill(struct dir *d, LDAPMessage *e, int owners, struct dir_node *out)
{
	struct berval **v;

	out->exists = 1;
	out->held = ldap_get_values_len(d->ld, e, "dnsRecord");
	out->values = dir_priv_values(out->held, &out->nvalues);
	v = ldap_get_values_len(d->ld, e, "dNSTombstoned");
	out->tombstoned = v != NULL && v[0] != NULL &&
	    v[0]->bv_len == 4 && strncasecmp(v[0]->bv_val, "TRUE", 4) == 0;
	ldap_value_free_len(v);
	out->owner = owners ? dir_priv_owner(d, e) : DIR_OWNER_UNKNOWN;
}

int
dir_node_read(struct dir *d, const char *dn, struct dir_node *out, char *err,
    size_t errlen)
{
	LDAPMessage *res;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dir_priv_base_search(d, dn, node_attrs, &res, err, errlen);
	if (rc == 1) {
		dir_node_fill(d, ldap_first_entry(d->ld, res), 1, out);
		ldap_msgfree(res);
	}
	return rc == -1 ? -1 : 0;
}

/* The LDAPMods of one op, and what they point into. */
struct node_mods {
	LDAPMod m[4];
	LDAPMod *mods[5];
	struct berval **bd, **ba;
	char *oc[3], *dcv[2], *tv[2];
	char dcbuf[256];
};

/* Build op's mods into b: the number of them, or -1 (a bad add). */
static int
node_mods(const struct dir_node_op *op, struct node_mods *b)
{
	size_t n = 0;

	memset(b, 0, sizeof(*b));
	b->ba = dir_priv_bervals(op->adds, op->nadds);
	if (op->kind == DIR_OP_ADD) {
		if (op->dc == NULL || op->nadds == 0 ||
		    xstrlcpy(b->dcbuf, op->dc, sizeof(b->dcbuf)) == -1)
			return -1;
		b->oc[0] = val_top;
		b->oc[1] = val_dnsnode;
		b->dcv[0] = b->dcbuf;
		b->m[n++] = (LDAPMod){ LDAP_MOD_ADD, attr_objectclass,
		    { .modv_strvals = b->oc } };
		b->m[n++] = (LDAPMod){ LDAP_MOD_ADD, attr_dc,
		    { .modv_strvals = b->dcv } };
	} else if (op->ndels > 0) {
		b->bd = dir_priv_bervals(op->dels, op->ndels);
		b->m[n++] = (LDAPMod){ LDAP_MOD_DELETE | LDAP_MOD_BVALUES,
		    attr_dnsrecord, { .modv_bvals = b->bd } };
	}
	if (op->nadds > 0)
		b->m[n++] = (LDAPMod){ LDAP_MOD_ADD | LDAP_MOD_BVALUES,
		    attr_dnsrecord, { .modv_bvals = b->ba } };
	if (op->kind == DIR_OP_UPDATE && op->tomb != -1) {
		b->tv[0] = op->tomb == 1 ? val_true : val_false;
		b->m[n++] = (LDAPMod){ LDAP_MOD_REPLACE, attr_tombstoned,
		    { .modv_strvals = b->tv } };
	}
	for (size_t i = 0; i < n; i++)
		b->mods[i] = &b->m[i];
	b->mods[n] = NULL;
	return (int)n;
}

static void
node_mods_free(struct node_mods *b)
{
	free(b->bd);
	free(b->ba);
}

/* Send a DIR_OP_MODS op. */
static int
node_send_mods(struct dir *d, const struct dir_node_op *op, int *msgid)
{
	LDAPMod m[DIR_MAX_MODS], *ptrs[DIR_MAX_MODS + 1];

	if (op->nmods == 0) {
		*msgid = -1;
		return LDAP_SUCCESS;
	}
	if (dir_ldapmods(op->mods, op->nmods, m, ptrs) == -1)
		return LDAP_PARAM_ERROR;
	if (d->ld == NULL)
		return LDAP_SERVER_DOWN;
	return ldap_modify_ext(d->ld, op->dn, ptrs, NULL, NULL, msgid);
}

/* Send op: LDAP_SUCCESS and *msgid, or the send's error. */
static int
node_send(struct dir *d, const struct dir_node_op *op, int *msgid)
{
	struct node_mods b;
	int n, rc;

	if (op->kind == DIR_OP_MODS)
		return node_send_mods(d, op, msgid);
	n = node_mods(op, &b);
	if (n <= 0)
		rc = n == 0 ? LDAP_SUCCESS : LDAP_PARAM_ERROR;
	else if (d->ld == NULL)
		rc = LDAP_SERVER_DOWN;
	else if (op->kind == DIR_OP_ADD)
		rc = ldap_add_ext(d->ld, op->dn, b.mods, NULL, NULL, msgid);
	else
		rc = ldap_modify_ext(d->ld, op->dn, b.mods, NULL, NULL, msgid);
	if (n == 0)
		*msgid = -1;	/* nothing to write: done */
	node_mods_free(&b);
	return rc;
}

/* Wait for the result of msgid (or any, LDAP_RES_ANY): the result code
 * and *got the message id; an error of the wait itself otherwise. */
static int
node_wait(struct dir *d, int msgid, int *got)
{
	struct timeval tv = { (time_t)d->params.timeout, 0 };
	LDAPMessage *res = NULL;
	int rc, code = LDAP_OTHER;

	rc = ldap_result(d->ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc == 0) {
		ldap_msgfree(res);
		return LDAP_TIMEOUT;
	}
	if (rc == -1) {
		(void)ldap_get_option(d->ld, LDAP_OPT_RESULT_CODE, &code);
		return code == LDAP_SUCCESS ? LDAP_SERVER_DOWN : code;
	}
	*got = ldap_msgid(res);
	if (ldap_parse_result(d->ld, res, &code, NULL, NULL, NULL, NULL,
	    1) != LDAP_SUCCESS)
		return LDAP_DECODING_ERROR;
	return code;
}

/* One write, waited for. */
static int
node_write(struct dir *d, const struct dir_node_op *op, const char *what,
    char *err, size_t errlen)
{
	int msgid = -1, got = -1, rc;

	rc = node_send(d, op, &msgid);
	if (rc == LDAP_SUCCESS && msgid != -1) {
		rc = node_wait(d, msgid, &got);
	/* a time-out closes the connection (dir_priv_fail): a late answer
	 * is never taken for the next operation's */
	}
	if (rc == LDAP_PARAM_ERROR) {
		(void)xsnprintf(err, errlen, "%s %s: bad node", what, op->dn);
		return -1;
	}
	d->last_rc = rc;
	return rc == LDAP_SUCCESS ? 0 : dir_priv_fail(d, rc, what, op->dn, err,
	    errlen);
}

int
dir_node_add(struct dir *d, const char *dn, const char *dc,
    const struct dir_value *vals, size_t nvals, char *err, size_t errlen)
{
	struct dir_node_op op = { .kind = DIR_OP_ADD, .dn = dn, .dc = dc,
	    .adds = vals, .nadds = nvals };

	return node_write(d, &op, "add", err, errlen);
}

int
dir_node_update(struct dir *d, const char *dn,
    const struct dir_value *dels, size_t ndels, const struct dir_value *adds,
    size_t nadds, int tomb, char *err, size_t errlen)
{
	struct dir_node_op op = { .kind = DIR_OP_UPDATE, .dn = dn,
	    .dels = dels, .ndels = ndels, .adds = adds, .nadds = nadds,
	    .tomb = tomb };

	return node_write(d, &op, "modify", err, errlen);
}

int
dir_node_tombstone(struct dir *d, const char *dn,
    const struct dir_value *held, size_t nheld,
    const struct dir_value *tombstone, char *err, size_t errlen)
{
	return dir_node_update(d, dn, held, nheld, tombstone, 1, 1, err,
	    errlen);
}

/* The ops in flight: message id and op index. */
struct node_flight {
	int msgid;
	size_t op;
};

/* Collect one result into its op; the LDAP code of a failure that ends
 * the batch (the wait's own, or the op's other than exists/changed). */
static int
node_collect(struct dir *d, struct dir_node_op *ops, struct node_flight *fl,
    size_t *nfl, size_t *which)
{
	int got = -1, rc;
	size_t i;

	*which = SIZE_MAX;
	rc = node_wait(d, LDAP_RES_ANY, &got);
	for (i = 0; i < *nfl && fl[i].msgid != got; i++)
		;
	if (i == *nfl)
		return rc == LDAP_SUCCESS ? LDAP_PROTOCOL_ERROR : rc;
	ops[fl[i].op].done = 1;
	ops[fl[i].op].result = dir_priv_kind(rc);
	*which = fl[i].op;
	fl[i] = fl[--*nfl];
	if (rc == LDAP_SUCCESS || ops[*which].result == DIR_EXISTS ||
	    ops[*which].result == DIR_CHANGED)
		return LDAP_SUCCESS;
	return rc;
}

int
dir_node_run(struct dir *d, struct dir_node_op *ops, size_t n,
    const struct dir_run *how, char *err, size_t errlen)
{
	size_t window = how->window > 0 ? how->window : 1;
	struct node_flight *fl = xcalloc(window + 1, sizeof(*fl));
	size_t next = 0, nfl = 0, bad = 0, which;
	int msgid, rc = LDAP_SUCCESS, first = LDAP_SUCCESS;

	while ((first == LDAP_SUCCESS && next < n) || nfl > 0) {
		while (first == LDAP_SUCCESS && next < n && nfl < window) {
			if (how->stop != NULL && how->stop()) {
				first = LDAP_USER_CANCELLED;
				break;
			}
			ops[next].done = 0;
			rc = node_send(d, &ops[next], &msgid);
			if (rc != LDAP_SUCCESS) {
				first = rc;
				bad = next;
				break;
			}
			if (msgid == -1) {	/* nothing to write */
				ops[next].done = 1;
				ops[next].result = DIR_OK;
			} else
				fl[nfl++] = (struct node_flight){ msgid, next };
			ops[next].sent = 1;
			next++;
		}
		if (nfl == 0)
			break;
		rc = node_collect(d, ops, fl, &nfl, &which);
		if (how->done != NULL && which != SIZE_MAX)
			how->done(how->ctx, which);
		if (rc != LDAP_SUCCESS && first == LDAP_SUCCESS) {
			first = rc;
			bad = which != SIZE_MAX ? which : bad;
		}
		if (rc != LDAP_SUCCESS && dir_rc_is_connection(rc))
			break;		/* nothing more will come */
	}
	free(fl);
	if (first == LDAP_SUCCESS)
		return 0;
	if (first == LDAP_USER_CANCELLED) {
		(void)xsnprintf(err, errlen, "stopped by a signal");
		return -1;
	}
	if (first == LDAP_PARAM_ERROR) {
		(void)xsnprintf(err, errlen, "write %s: bad node", ops[bad].dn);
		return -1;
	}
	return dir_priv_fail(d, first, ops[bad].kind == DIR_OP_ADD ? "add" :
	    "modify", ops[bad].dn, err, errlen);
}

/* The paged results cookie of res's controls (NULL: the last page). */
static struct berval *
node_cookie(struct dir *d, LDAPMessage *res)
{
	LDAPControl **ctrls = NULL, *c;
	struct berval ck = { 0, NULL }, *out = NULL;
	ber_int_t count;
	int code;

	if (ldap_parse_result(d->ld, res, &code, NULL, NULL, NULL, &ctrls,
	    0) != LDAP_SUCCESS)
		return NULL;
	c = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, ctrls, NULL);
	if (c != NULL && ldap_parse_pageresponse_control(d->ld, c, &count,
	    &ck) == LDAP_SUCCESS && ck.bv_len > 0)
		out = ber_bvdup(&ck);
	ber_memfree(ck.bv_val);
	ldap_controls_free(ctrls);
	return out;
}

/* The node's name: its one DC value, or the first RDN value of its DN. */
static int
node_name(struct dir *d, LDAPMessage *e, char *out, size_t outlen)
{
	struct berval **v = ldap_get_values_len(d->ld, e, "dc");
	char *dn;
	int rc = -1;

	if (v != NULL && v[0] != NULL && v[1] == NULL && v[0]->bv_len > 0 &&
	    v[0]->bv_len < outlen && memchr(v[0]->bv_val, '\0',
	    v[0]->bv_len) == NULL) {
		memcpy(out, v[0]->bv_val, v[0]->bv_len);
		out[v[0]->bv_len] = '\0';
		rc = 0;
	}
	ldap_value_free_len(v);
	if (rc == 0)
		return 0;
	dn = ldap_get_dn(d->ld, e);
	rc = dn != NULL ? dn_first_value(dn, out, outlen) : -1;
	ldap_memfree(dn);
	return rc;
}

/* Hand one entry to fn: 0, or -1 when fn said stop. */
static int
node_entry(struct dir *d, LDAPMessage *e, int owners, dir_node_fn fn,
    void *ctx, char *err, size_t errlen)
{
	char name[256];
	struct dir_node n;
	int rc;

	if (node_name(d, e, name, sizeof(name)) == -1)
		return 0;	/* no name we could ever want */
	memset(&n, 0, sizeof(n));
	dir_node_fill(d, e, owners, &n);
	rc = fn(ctx, name, &n, err, errlen);
	dir_node_free(&n);
	return rc;
}

/* Give up the page in flight, and the connection with it.  slapd keeps
 * one paged search's state per connection: an abandoned page still being
 * sent when the next scan asks for its second page leaves that page's
 * cookie "invalid" (a protocol error), and when the abandon is processed
 * is the server's affair.  Scans end half-way only on a failed pass or a
 * stop; the next use binds again (daemon_connect). */
static void
scan_drop(struct dir_scan *s)
{
	if (s->msgid == -1 || s->d->ld == NULL)
		return;
	(void)ldap_abandon_ext(s->d->ld, s->msgid, NULL, NULL);
	s->msgid = -1;
	dir_close(s->d);
}

/* What has come of the page in flight: each entry handed to fn as it
 * comes (the server sends the next ones meanwhile); 1 when the page ended
 * (s->rc its code, s->cookie the next page's) or the scan stopped, 0 when
 * nothing more came within tv (with wait: a timeout, s->rc says so). */
static int
scan_take(struct dir_scan *s, int wait, char *err, size_t errlen)
{
	struct dir *d = s->d;
	struct timeval tv;
	LDAPMessage *m = NULL;
	int type, code = LDAP_OTHER;

	for (;;) {
		tv = (struct timeval){ wait ? (time_t)d->params.timeout : 0, 0 };
		type = ldap_result(d->ld, s->msgid, LDAP_MSG_ONE, &tv, &m);
		if (type == 0 || type == -1) {
			ldap_msgfree(m);
			if (type == 0 && !wait)
				return 0;
			if (type == 0)
				s->rc = LDAP_TIMEOUT;
			else {
				(void)ldap_get_option(d->ld,
				    LDAP_OPT_RESULT_CODE, &code);
				s->rc = code == LDAP_SUCCESS ?
				    LDAP_SERVER_DOWN : code;
			}
			return 1;
		}
		if (type == LDAP_RES_SEARCH_RESULT)
			break;
		if (type == LDAP_RES_SEARCH_ENTRY &&
		    node_entry(d, m, s->filter != NULL, s->fn, s->ctx, err,
		    errlen) == -1) {
			s->stopped = 1;
			ldap_msgfree(m);
			scan_drop(s);
			s->rc = LDAP_SUCCESS;
			return 1;
		}
		ldap_msgfree(m);
		m = NULL;
	}
	if (ldap_parse_result(d->ld, m, &code, NULL, NULL, NULL, NULL, 0) !=
	    LDAP_SUCCESS)
		code = LDAP_DECODING_ERROR;
	else if (code == LDAP_SUCCESS)
		s->cookie = node_cookie(d, m);
	ldap_msgfree(m);
	s->rc = code;
	return 1;
}

/* Ask for the scan's next page (the first: no cookie). */
static int
scan_send(struct dir_scan *s)
{
	struct dir *d = s->d;
	struct timeval tv = { (time_t)d->params.timeout, 0 };
	LDAPControl *page = NULL, *ctrls[3] = { NULL, NULL, NULL };
	int rc;

	rc = d->ld == NULL ? LDAP_SERVER_DOWN :
	    ldap_create_page_control(d->ld, DIR_PAGE, s->cookie, 1, &page);
	ber_bvfree((struct berval *)s->cookie);
	s->cookie = NULL;
	if (rc != LDAP_SUCCESS)
		return rc;
	ctrls[0] = page;
	ctrls[1] = s->filter != NULL ? dir_priv_sdflags()[0] : NULL;
	rc = ldap_search_ext(d->ld, s->base, LDAP_SCOPE_ONELEVEL,
	    s->filter != NULL ? s->filter : "(objectClass=dnsNode)",
	    (char **)(uintptr_t)(s->filter != NULL ? lookup_attrs : scan_attrs),
	    0, ctrls, NULL, &tv, 0, &s->msgid);
	ldap_control_free(page);
	if (rc != LDAP_SUCCESS)
		s->msgid = -1;
	return rc;
}

void
dir_scan_start(struct dir_scan *s, struct dir *d, const char *zone_dn,
    const char *filter, dir_node_fn fn, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->base = xstrdup(zone_dn);
	s->filter = filter != NULL ? xstrdup(filter) : NULL;
	s->fn = fn;
	s->ctx = ctx;
	s->msgid = -1;
	s->rc = scan_send(s);
	s->done = s->rc != LDAP_SUCCESS;
}

int
dir_scan_step(struct dir_scan *s, int wait, char *err, size_t errlen)
{
	while (!s->done) {
		if (s->msgid == -1 && (s->rc = scan_send(s)) != LDAP_SUCCESS)
			break;
		if (scan_take(s, wait, err, errlen) == 0)
			return 1;	/* more to come */
		s->msgid = -1;
		s->d->last_rc = s->rc;
		s->done = s->rc != LDAP_SUCCESS || s->stopped ||
		    s->cookie == NULL;
	}
	s->done = 1;
	if (s->stopped)
		return -1;	/* fn said why */
	return s->rc == LDAP_SUCCESS ? 0 : dir_priv_fail(s->d, s->rc,
	    "search", s->base, err, errlen);
}

void
dir_scan_end(struct dir_scan *s)
{
	scan_drop(s);
	ber_bvfree((struct berval *)s->cookie);
	free(s->base);
	free(s->filter);
	memset(s, 0, sizeof(*s));
	s->msgid = -1;
}

int
dir_node_scan(struct dir *d, const char *zone_dn, const char *filter,
    dir_node_fn fn, void *ctx, char *err, size_t errlen)
{
	struct dir_scan s;
	int rc;

	dir_scan_start(&s, d, zone_dn, filter, fn, ctx);
	rc = dir_scan_step(&s, 1, err, errlen);
	dir_scan_end(&s);
	return rc;
}
