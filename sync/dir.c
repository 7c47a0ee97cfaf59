/*
 * dir.c - LDAP session with SASL GSSAPI, SSF floor and URI failover.
 */
#include "config.h"

#include <ldap.h>
#include <sasl/sasl.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "dir.h"
#include "dirpriv.h"
#include "log.h"
#include "xmem.h"

/* The largest security-layer packet we take: the server splits what it
 * sends into packets this big (libldap puts the messages together again),
 * and the SASL GSSAPI plugin's receive buffer is this big, not 16 MiB. */
#define DIR_SASL_MAXBUF (64 * 1024)

/* Only the GSSAPI plugin is loaded: Cyrus SASL would load every client
 * plugin it finds (DIGEST-MD5, SCRAM and NTLM pull in libcrypto, sasldb
 * libdb: ~2 MB resident for mechanisms vmgroupd never uses). */
static int
dir_sasl_plugin(void *ctx, const char *file, sasl_verify_type_t type)
{
	const char *base = strrchr(file, '/');

	(void)ctx;
	if (type != SASL_VRFY_PLUGIN)
		return SASL_OK;
	base = base != NULL ? base + 1 : file;
	return strncmp(base, "libgssapiv2.", 12) == 0 ? SASL_OK : SASL_FAIL;
}

/* Cyrus SASL set up before libldap does it (a no-op then: libldap's own
 * sasl_client_init only counts itself in). */
static void
dir_sasl_init(void)
{
	static const sasl_callback_t cbs[] = {
		{ SASL_CB_VERIFYFILE, (int (*)(void))(uintptr_t)dir_sasl_plugin,
		    NULL },
		{ SASL_CB_LIST_END, NULL, NULL },
	};
	static int done;

	if (!done && sasl_client_init(cbs) == SASL_OK)
		done = 1;
}

void
dir_init(struct dir *d, const struct dir_params *p)
{
	memset(d, 0, sizeof(*d));
	d->params = *p;
	dir_sasl_init();
}

const char *
dir_uri(const struct dir *d)
{
	if (d->params.nuris > 0)
		return d->params.uris[d->uri];
	return d->nfound > 0 ? d->found[d->uri % d->nfound] : "(none)";
}

int
dir_rc_is_connection(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR ||
	    rc == LDAP_TIMEOUT || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
}

void
dir_errtext(struct dir *d, int rc, char *err, size_t errlen)
{
	char *diag = NULL;

	if (d->ld != NULL)
		(void)ldap_get_option(d->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag != NULL && *diag != '\0')
		(void)xsnprintf(err, errlen, "%s (%s)", ldap_err2string(rc),
		    diag);
	else
		(void)xsnprintf(err, errlen, "%s", ldap_err2string(rc));
	ldap_memfree(diag);
}

/* GSSAPI needs no answers; give empty ones to anything asked. */
static int
dir_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *i;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (i = in; i->id != SASL_CB_LIST_END; i++) {
		i->result = "";
		i->len = 0;
	}
	return LDAP_SUCCESS;
}

void
dir_close(struct dir *d)
{
	if (d->ld != NULL)
		ldap_unbind_ext_s(d->ld, NULL, NULL);
	d->ld = NULL;
	d->ssf = 0;
}

/* The socket of the connection being made or in use, for dir_abort (a
 * signal handler), and whether it was called. */
static volatile sig_atomic_t dir_sock = -1, dir_aborted;

static int
dir_conn_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
    struct ldap_conncb *ctx)
{
	ber_socket_t fd = -1;

	(void)ld;
	(void)srv;
	(void)addr;
	(void)ctx;
	if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1 && fd >= 0) {
		dir_sock = fd;
		if (dir_aborted)
			(void)shutdown(fd, SHUT_RDWR);
	}
	return 0;
}

static void
dir_conn_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	(void)ld;
	(void)sb;
	(void)ctx;
	dir_sock = -1;
}

static struct ldap_conncb dir_conncb = { dir_conn_add, dir_conn_del, NULL };

void
dir_abort(void)
{
	int fd = dir_sock;

	dir_aborted = 1;
	if (fd >= 0)
		(void)shutdown(fd, SHUT_RDWR);
}

static int
dir_options(struct dir *d, LDAP *ld)
{
	int version = LDAP_VERSION3;
	ber_len_t ssf_min = d->params.ssf_min;
	ber_len_t maxbuf = DIR_SASL_MAXBUF;
	struct timeval tv = { .tv_sec = (time_t)d->params.timeout };

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) ||
	    /* a signal (SIGTERM to vmgroupd --once) cuts a wait short */
	    ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_OFF) ||
	    ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) ||
	    ldap_set_option(ld, LDAP_OPT_X_SASL_SSF_MIN, &ssf_min) ||
	    /* the security layer's receive buffer (16 MiB by default) */
	    ldap_set_option(ld, LDAP_OPT_X_SASL_MAXBUFSIZE, &maxbuf) ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &dir_conncb))
		return -1;
	return 0;	/* the credential: see dir.h */
}

/* After the bind: the SSF floor, and who we are. */
static int
dir_verify(struct dir *d, char *err, size_t errlen)
{
	ber_len_t ssf = 0;
	struct berval *who = NULL;
	int rc;

	if (ldap_get_option(d->ld, LDAP_OPT_X_SASL_SSF, &ssf) != 0 ||
	    ssf < d->params.ssf_min) {
		(void)xsnprintf(err, errlen, "SASL security strength %lu is "
		    "below the required %u", (unsigned long)ssf,
		    d->params.ssf_min);
		return -1;
	}
	d->ssf = (unsigned)ssf;
	/* Who-am-I is for the log only: Active Directory does not offer it */
	(void)xstrlcpy(d->authzid, "(the server does not say)",
	    sizeof(d->authzid));
	rc = ldap_whoami_s(d->ld, &who, NULL, NULL);
	if (rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT) {
		dir_errtext(d, rc, err, errlen);
		return -1;
	}
	if (rc == LDAP_SUCCESS && who != NULL && who->bv_val != NULL &&
	    who->bv_len < sizeof(d->authzid)) {
		memcpy(d->authzid, who->bv_val, who->bv_len);
		d->authzid[who->bv_len] = '\0';
	}
	ber_bvfree(who);
	return dir_self_find(d, err, errlen);
}

/* Connect to uri and bind with GSSAPI.  The credential is whatever cache
 * GSSAPI in this thread points at (krb_acquire): LDAP_OPT_X_SASL_GSS_CREDS
 * would need a SASL context that only exists during the bind. */
static int
dir_open_one(struct dir *d, const char *uri, char *err, size_t errlen)
{
	int rc;

	rc = ldap_initialize(&d->ld, uri);
	if (rc != LDAP_SUCCESS) {
		d->ld = NULL;
		(void)xsnprintf(err, errlen, "%s", ldap_err2string(rc));
		return -1;
	}
	if (dir_options(d, d->ld) == -1) {
		(void)xsnprintf(err, errlen, "cannot set LDAP options");
		goto fail;
	}
	rc = ldap_sasl_interactive_bind_s(d->ld, NULL, "GSSAPI", NULL, NULL,
	    LDAP_SASL_QUIET, dir_interact, NULL);
	if (rc != LDAP_SUCCESS) {
		dir_errtext(d, rc, err, errlen);
		goto fail;
	}
	if (dir_verify(d, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	dir_close(d);
	return -1;
}

int
dir_open(struct dir *d, char *err, size_t errlen)
{
	const char *uris[DIR_MAX_URIS];
	char one[512];
	size_t i, idx, n;

	dir_close(d);
	err[0] = '\0';
	if ((n = dir_dc_uris(d, uris, err, errlen)) == 0)
		return -1;
	for (i = 0; i < n; i++) {
		idx = (d->uri + i) % n;
		if (dir_open_one(d, uris[idx], one, sizeof(one)) == 0) {
			d->uri = idx;
			return 0;
		}
		log_warnx("directory %s: %s", uris[idx], one);
		if (err[0] == '\0')
			(void)xsnprintf(err, errlen, "%s: %s", uris[idx], one);
	}
	d->uri = (d->uri + 1) % n;
	d->nfound = 0;		/* every DC DNS named failed: ask DNS again */
	return -1;
}

int
dir_last_rc(const struct dir *d)
{
	return d->last_rc;
}

enum dir_error
dir_error(const struct dir *d)
{
	return dir_priv_kind(d->last_rc);
}

enum dir_error
dir_priv_kind(int rc)
{
	if (rc == LDAP_SUCCESS || rc == LDAP_ALREADY_EXISTS)
		return rc == LDAP_SUCCESS ? DIR_OK : DIR_EXISTS;
	if (rc == LDAP_NO_SUCH_ATTRIBUTE || rc == LDAP_TYPE_OR_VALUE_EXISTS ||
	    rc == LDAP_NO_SUCH_OBJECT)
		return DIR_CHANGED;
	if (rc == LDAP_INSUFFICIENT_ACCESS || rc == LDAP_STRONG_AUTH_REQUIRED ||
	    rc == LDAP_CONFIDENTIALITY_REQUIRED)
		return DIR_NO_ACCESS;
	return dir_rc_is_connection(rc) ? DIR_LOST : DIR_OTHER;
}

/* Views of values ldap_get_values_len returned (bv: NULL for none). */
struct dir_value *
dir_priv_values(struct berval **bv, size_t *n)
{
	struct dir_value *v;
	size_t i;

	*n = bv != NULL ? (size_t)ldap_count_values_len(bv) : 0;
	v = xcalloc(*n + 1, sizeof(*v));
	for (i = 0; i < *n; i++) {
		v[i].val = (const uint8_t *)bv[i]->bv_val;
		v[i].len = bv[i]->bv_len;
	}
	return v;
}

/* berval views of values: NULL-terminated, one block to free. */
struct berval **
dir_priv_bervals(const struct dir_value *v, size_t n)
{
	struct berval **bv = xcalloc(1, (n + 1) * sizeof(*bv) +
	    n * sizeof(**bv));
	struct berval *store = (struct berval *)(void *)(bv + n + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		store[i].bv_val = (char *)(uintptr_t)v[i].val;
		store[i].bv_len = v[i].len;
		bv[i] = &store[i];
	}
	return bv;
}

int
dir_priv_fail(struct dir *d, int rc, const char *what, const char *dn, char *err,
    size_t errlen)
{
	char text[384];

	d->last_rc = rc;
	dir_errtext(d, rc, text, sizeof(text));
	(void)xsnprintf(err, errlen, "%s %s: %s", what, dn, text);
	if (dir_rc_is_connection(rc))
		dir_close(d);
	return -1;
}

/* Base search of dn for attrs: -1 error, 0 no such object, 1 found (*res
 * set, holding one entry; ldap_msgfree it). */
int
dir_priv_base_search(struct dir *d, const char *dn, char *const *attrs,
    LDAPMessage **res, char *err, size_t errlen)
{
	int rc;

	*res = NULL;
	if (d->ld == NULL)
		return dir_priv_fail(d, LDAP_SERVER_DOWN, "read", dn, err, errlen);
	rc = ldap_search_ext_s(d->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    (char **)(uintptr_t)attrs, 0, dir_priv_sdflags(), NULL, NULL, 1,
	    res);
	d->last_rc = rc;
	if (rc == LDAP_SUCCESS && ldap_first_entry(d->ld, *res) != NULL)
		return 1;
	ldap_msgfree(*res);
	*res = NULL;
	if (rc == LDAP_NO_SUCH_OBJECT || rc == LDAP_SUCCESS)
		return 0;
	return dir_priv_fail(d, rc, "read", dn, err, errlen);
}

static void
dir_entry_fill(struct dir *d, LDAPMessage *m, char *const *attrs,
    struct dir_entry *out)
{
	size_t i;

	out->exists = 1;
	for (i = 0; i < DIR_ENTRY_MAX_ATTRS && attrs[i] != NULL; i++) {
		out->held[i] = ldap_get_values_len(d->ld, m, attrs[i]);
		out->vals[i] = dir_priv_values(out->held[i], &out->nvals[i]);
	}
	out->nattrs = i;
}

int
dir_entry_read(struct dir *d, const char *dn, char *const *attrs,
    struct dir_entry *out, char *err, size_t errlen)
{
	LDAPMessage *res;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dir_priv_base_search(d, dn, attrs, &res, err, errlen);
	if (rc == 1) {
		dir_entry_fill(d, ldap_first_entry(d->ld, res), attrs, out);
		ldap_msgfree(res);
	}
	return rc == -1 ? -1 : 0;
}

int
dir_entries_search(struct dir *d, const char *base, const char *filter,
    char *const *attrs, struct dir_entry **out, size_t *count, char *err,
    size_t errlen)
{
	LDAPMessage *res = NULL, *m;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (d->ld == NULL)
		return dir_priv_fail(d, LDAP_SERVER_DOWN, "search", base, err, errlen);
	rc = ldap_search_ext_s(d->ld, base, LDAP_SCOPE_SUBTREE, filter,
	    (char **)(uintptr_t)attrs, 0, NULL, NULL, NULL, DIR_SEARCH_MAX,
	    &res);
	d->last_rc = rc;
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return dir_priv_fail(d, rc, "search", base, err, errlen);
	}
	*out = xcalloc((size_t)ldap_count_entries(d->ld, res) + 1,
	    sizeof(**out));
	for (m = ldap_first_entry(d->ld, res); m != NULL;
	    m = ldap_next_entry(d->ld, m))
		dir_entry_fill(d, m, attrs, &(*out)[n++]);
	ldap_msgfree(res);
	*count = n;
	return 0;
}

/* One entry of search msgid to fn: 0, -1 when fn said stop. */
static int
dir_each_entry(struct dir *d, LDAPMessage *m, char *const *attrs,
    int (*fn)(void *, const struct dir_entry *, char *, size_t), void *ctx,
    char *err, size_t errlen)
{
	struct dir_entry e;
	int rc;

	memset(&e, 0, sizeof(e));
	dir_entry_fill(d, m, attrs, &e);
	rc = fn(ctx, &e, err, errlen);
	dir_entry_free(&e);
	return rc;
}

int
dir_entries_each(struct dir *d, const char *base, const char *filter,
    char *const *attrs, int (*fn)(void *ctx, const struct dir_entry *e,
    char *err, size_t errlen), void *ctx, char *err, size_t errlen)
{
	struct timeval tv = { (time_t)d->params.timeout, 0 };
	LDAPMessage *m = NULL;
	int rc, type, msgid;

	if (d->ld == NULL)
		return dir_priv_fail(d, LDAP_SERVER_DOWN, "search", base, err, errlen);
	rc = ldap_search_ext(d->ld, base, LDAP_SCOPE_SUBTREE, filter,
	    (char **)(uintptr_t)attrs, 0, NULL, NULL, &tv, DIR_SEARCH_MAX,
	    &msgid);
	while (rc == LDAP_SUCCESS) {
		tv = (struct timeval){ (time_t)d->params.timeout, 0 };
		type = ldap_result(d->ld, msgid, LDAP_MSG_ONE, &tv, &m);
		if (type == 0 || type == -1) {
			rc = type == 0 ? LDAP_TIMEOUT : LDAP_SERVER_DOWN;
			if (type == -1)
				(void)ldap_get_option(d->ld,
				    LDAP_OPT_RESULT_CODE, &rc);
			if (rc == LDAP_SUCCESS)
				rc = LDAP_SERVER_DOWN;
			break;
		}
		if (type == LDAP_RES_SEARCH_RESULT) {
			if (ldap_parse_result(d->ld, m, &rc, NULL, NULL, NULL,
			    NULL, 0) != LDAP_SUCCESS)
				rc = LDAP_DECODING_ERROR;
			if (rc == LDAP_SIZELIMIT_EXCEEDED)
				rc = LDAP_SUCCESS;
			ldap_msgfree(m);
			m = NULL;
			d->last_rc = rc;
			return rc == LDAP_SUCCESS ? 0 :
			    dir_priv_fail(d, rc, "search", base, err, errlen);
		}
		if (type == LDAP_RES_SEARCH_ENTRY && dir_each_entry(d, m,
		    attrs, fn, ctx, err, errlen) == -1) {
			ldap_msgfree(m);
			(void)ldap_abandon_ext(d->ld, msgid, NULL, NULL);
			return -1;
		}
		ldap_msgfree(m);
		m = NULL;
	}
	ldap_msgfree(m);
	return dir_priv_fail(d, rc, "search", base, err, errlen);
}

void
dir_entries_free(struct dir_entry *e, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		dir_entry_free(&e[i]);
	free(e);
}

void
dir_entry_free(struct dir_entry *e)
{
	size_t i;

	for (i = 0; i < e->nattrs; i++) {
		if (e->held[i] != NULL)
			ldap_value_free_len(e->held[i]);
		free(e->vals[i]);
	}
	memset(e, 0, sizeof(*e));
}

/*
 * vmGroup objects: add, modify, delete.
 */

int
dir_ldapmods(const struct dir_mod *mods, size_t nmods, LDAPMod *m,
    LDAPMod **ptrs)
{
	static const int ops[] = { LDAP_MOD_ADD, LDAP_MOD_REPLACE,
	    LDAP_MOD_DELETE };
	size_t i;

	if (nmods > DIR_MAX_MODS)
		return -1;
	for (i = 0; i < nmods; i++) {
		m[i] = (LDAPMod){ ops[mods[i].op],
		    (char *)(uintptr_t)mods[i].attr,
		    { .modv_strvals = (char **)(uintptr_t)mods[i].vals } };
		ptrs[i] = &m[i];
	}
	ptrs[nmods] = NULL;
	return 0;
}

/* One add (add != 0) or modify of dn. */
static int
dir_group_write(struct dir *d, const char *dn, const struct dir_mod *mods,
    size_t nmods, int add, char *err, size_t errlen)
{
	LDAPMod m[DIR_MAX_MODS], *ptrs[DIR_MAX_MODS + 1];
	int rc;

	if (dir_ldapmods(mods, nmods, m, ptrs) == -1) {
		(void)xsnprintf(err, errlen, "%s: too many changes", dn);
		return -1;
	}
	rc = d->ld == NULL ? LDAP_SERVER_DOWN : add ?
	    ldap_add_ext_s(d->ld, dn, ptrs, NULL, NULL) :
	    ldap_modify_ext_s(d->ld, dn, ptrs, NULL, NULL);
	d->last_rc = rc;
	return rc == LDAP_SUCCESS ? 0 :
	    dir_priv_fail(d, rc, add ? "add" : "modify", dn, err, errlen);
}

int
dir_group_add(struct dir *d, const char *dn, const struct dir_mod *mods,
    size_t nmods, char *err, size_t errlen)
{
	return dir_group_write(d, dn, mods, nmods, 1, err, errlen);
}

int
dir_group_modify(struct dir *d, const char *dn, const struct dir_mod *mods,
    size_t nmods, char *err, size_t errlen)
{
	return dir_group_write(d, dn, mods, nmods, 0, err, errlen);
}

int
dir_group_delete(struct dir *d, const char *dn, char *err, size_t errlen)
{
	int rc = d->ld == NULL ? LDAP_SERVER_DOWN :
	    ldap_delete_ext_s(d->ld, dn, NULL, NULL);

	d->last_rc = rc == LDAP_NO_SUCH_OBJECT ? LDAP_SUCCESS : rc;
	return d->last_rc == LDAP_SUCCESS ? 0 :
	    dir_priv_fail(d, rc, "delete", dn, err, errlen);
}
