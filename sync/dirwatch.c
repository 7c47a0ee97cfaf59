/*
 * dirwatch.c - following the changes under one DN on a connection of its
 * own, the way the server offers it (rootDSE supportedControl):
 *
 * - AD and Samba: a one-level search with the change notification control
 *   (LDAP_SERVER_NOTIFICATION_OID).  It must ask (objectClass=*) (Samba
 *   refuses any other filter) and reports adds and modifies, not always
 *   deletes (Samba reports none): callers re-read at each change and now
 *   and then besides.
 * - OpenLDAP with syncprov: an RFC 4533 refreshAndPersist search, driven
 *   by hand (libldap's ldap_sync_poll mishandles several messages at once,
 *   and ldap_sync_destroy unbinds).  Its refresh phase reports every entry
 *   once; after that every add, modify and delete.
 *
 * A change is only "something changed": the caller reads what it needs.
 * The connection is quiet for hours: TCP keepalive finds a peer that went
 * away without a word (a DC powered off, a NAT that forgot us) within
 * about two minutes, and the search ends with the connection.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dirpriv.h"
#include "log.h"
#include "xmem.h"

#define DIR_WATCH_FILTER "(objectClass=*)"
/* messages taken per call at most: the caller's loop stays responsive */
#define DIR_WATCH_BATCH 10000

const char *
dir_watch_name(enum dir_watch_kind k)
{
	switch (k) {
	case DIR_WATCH_NOTIFY:
		return "change notification (" LDAP_CONTROL_X_SERVER_NOTIFICATION
		    ")";
	case DIR_WATCH_SYNC:
		return "syncrepl refreshAndPersist (" LDAP_CONTROL_SYNC ")";
	default:
		return "polling";
	}
}

/* Which of the two controls the root DSE lists: NOTIFY first. */
static int
dir_watch_offered(struct dir *d, enum dir_watch_kind *kind, char *err,
    size_t errlen)
{
	static char a_sc[] = "supportedControl";
	char *const attrs[] = { a_sc, NULL };
	LDAPMessage *res = NULL;
	struct berval **bv;
	size_t i;
	int rc;

	*kind = DIR_WATCH_NONE;
	rc = dir_priv_base_search(d, "", attrs, &res, err, errlen);
	if (rc <= 0)
		return rc == 0 ? 0 : -1;
	bv = ldap_get_values_len(d->ld, ldap_first_entry(d->ld, res), a_sc);
	for (i = 0; bv != NULL && bv[i] != NULL; i++) {
		if (bv[i]->bv_len == strlen(LDAP_CONTROL_X_SERVER_NOTIFICATION) &&
		    memcmp(bv[i]->bv_val, LDAP_CONTROL_X_SERVER_NOTIFICATION,
		    bv[i]->bv_len) == 0)
			*kind = DIR_WATCH_NOTIFY;
		else if (*kind == DIR_WATCH_NONE &&
		    bv[i]->bv_len == strlen(LDAP_CONTROL_SYNC) &&
		    memcmp(bv[i]->bv_val, LDAP_CONTROL_SYNC, bv[i]->bv_len) == 0)
			*kind = DIR_WATCH_SYNC;
	}
	ldap_value_free_len(bv);
	ldap_msgfree(res);
	return 0;
}

/* The control asking for kind: critical; the sync request's value is
 * SEQUENCE { mode ENUMERATED refreshAndPersist } (no cookie: from the
 * start). */
static LDAPControl *
dir_watch_control(enum dir_watch_kind kind)
{
	LDAPControl *c = NULL;
	struct berval bv = { 0, NULL };
	BerElement *ber;

	if (kind == DIR_WATCH_NOTIFY) {
		if (ldap_control_create(LDAP_CONTROL_X_SERVER_NOTIFICATION, 1,
		    NULL, 0, &c) != LDAP_SUCCESS)
			return NULL;
		return c;
	}
	if ((ber = ber_alloc_t(LBER_USE_DER)) == NULL)
		return NULL;
	if (ber_printf(ber, "{e}", (ber_int_t)LDAP_SYNC_REFRESH_AND_PERSIST) !=
	    -1 && ber_flatten2(ber, &bv, 0) == 0)
		(void)ldap_control_create(LDAP_CONTROL_SYNC, 1, &bv, 1, &c);
	ber_free(ber, 1);
	return c;
}

int
dir_peer(struct dir *d, struct sockaddr_storage *ss)
{
	socklen_t sl = sizeof(*ss);
	int fd = -1;

	if (d->ld == NULL ||
	    ldap_get_option(d->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS ||
	    fd < 0 || getpeername(fd, (struct sockaddr *)ss, &sl) == -1 ||
	    (ss->ss_family != AF_INET && ss->ss_family != AF_INET6))
		return -1;	/* closed, or ldapi:// */
	return 0;
}

/* Keepalive on the watch's socket: 60 s idle, then 3 probes 20 s apart. */
static void
dir_watch_keepalive(struct dir *d)
{
	int fd = -1, on = 1, idle = 60, intvl = 20, cnt = 3;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (ldap_get_option(d->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS ||
	    fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;		/* ldapi://: no TCP */
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ==
	    -1 || setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl)) == -1 || setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT,
	    &cnt, sizeof(cnt)) == -1)
		log_warn("keepalive on the directory's watch connection");
}

int
dir_watch_start(struct dir_watch *w, struct dir *d, const char *base,
    char *err, size_t errlen)
{
	static char a_cn[] = "cn";
	char *attrs[] = { a_cn, NULL };
	LDAPControl *ctrls[2] = { NULL, NULL };
	int rc, msgid;

	memset(w, 0, sizeof(*w));
	w->d = d;
	w->base = base;
	w->msgid = -1;
	if (d->ld == NULL)
		return dir_priv_fail(d, LDAP_SERVER_DOWN, "watch", base, err,
		    errlen);
	if (dir_watch_offered(d, &w->kind, err, errlen) == -1)
		return -1;
	if (w->kind == DIR_WATCH_NONE)
		return 0;
	dir_watch_keepalive(d);
	if ((ctrls[0] = dir_watch_control(w->kind)) == NULL) {
		(void)xsnprintf(err, errlen, "cannot build the %s control",
		    dir_watch_name(w->kind));
		return -1;
	}
	/* no time limit, no size limit: it runs as long as the connection */
	rc = ldap_search_ext(d->ld, base, LDAP_SCOPE_ONELEVEL,
	    DIR_WATCH_FILTER, attrs, 1, ctrls, NULL, NULL, 0, &msgid);
	ldap_control_free(ctrls[0]);
	d->last_rc = rc;
	if (rc != LDAP_SUCCESS)
		return dir_priv_fail(d, rc, "watch", base, err, errlen);
	w->msgid = msgid;
	return 0;
}

int
dir_watch_fd(const struct dir_watch *w)
{
	int fd = -1;

	if (w->d == NULL || w->d->ld == NULL || w->msgid == -1 ||
	    ldap_get_option(w->d->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS)
		return -1;
	return fd;
}

/* The search's end (it never ends while all is well): why, in err. */
static int
dir_watch_ended(struct dir_watch *w, LDAPMessage *m, char *err,
    size_t errlen)
{
	char *text = NULL;
	int rc = LDAP_OTHER;

	if (ldap_parse_result(w->d->ld, m, &rc, NULL, &text, NULL, NULL, 0) !=
	    LDAP_SUCCESS)
		rc = LDAP_OTHER;
	(void)xsnprintf(err, errlen, "the %s search ended (%s%s%s)",
	    dir_watch_name(w->kind), ldap_err2string(rc),
	    text != NULL && *text != '\0' ? ": " : "",
	    text != NULL ? text : "");
	ldap_memfree(text);
	w->d->last_rc = rc;
	w->msgid = -1;
	switch (rc) {
	case LDAP_UNAVAILABLE_CRITICAL_EXTENSION:	/* not on this base */
	case LDAP_UNWILLING_TO_PERFORM:
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_PROTOCOL_ERROR:
	case LDAP_SIZELIMIT_EXCEEDED:	/* limits: the same again and again */
	case LDAP_TIMELIMIT_EXCEEDED:
	case LDAP_ADMINLIMIT_EXCEEDED:
		w->kind = DIR_WATCH_NONE;
		return -2;
	default:
		return -1;
	}
}

int
dir_watch_take(struct dir_watch *w, char *err, size_t errlen)
{
	struct timeval zero = { 0, 0 };
	LDAPMessage *m = NULL;
	int n = 0, rc, type;

	if (w->d == NULL || w->d->ld == NULL || w->msgid == -1) {
		(void)xsnprintf(err, errlen, "not following");
		return -1;
	}
	while (n < DIR_WATCH_BATCH) {
		rc = ldap_result(w->d->ld, w->msgid, LDAP_MSG_ONE, &zero, &m);
		if (rc == 0)
			break;
		if (rc == -1) {
			(void)ldap_get_option(w->d->ld, LDAP_OPT_RESULT_CODE,
			    &rc);
			w->msgid = -1;
			return dir_priv_fail(w->d, rc, "watch",
			    w->base != NULL ? w->base : "", err, errlen);
		}
		type = ldap_msgtype(m);
		if (type == LDAP_RES_SEARCH_RESULT) {
			rc = dir_watch_ended(w, m, err, errlen);
			ldap_msgfree(m);
			return rc;
		}
		ldap_msgfree(m);
		m = NULL;
		n++;	/* an entry, a delete, a syncInfo message: a change */
	}
	return n;
}

void
dir_watch_stop(struct dir_watch *w)
{
	if (w->d != NULL && w->d->ld != NULL && w->msgid != -1)
		(void)ldap_abandon_ext(w->d->ld, w->msgid, NULL, NULL);
	w->msgid = -1;
}
