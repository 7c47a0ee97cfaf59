/*
 * dirdc.c - the domain's DCs from DNS (dir.h, uri = auto): the SRV records
 * _ldap._tcp.dc._msdcs.<domain>, those of the host's AD site
 * (_ldap._tcp.<site>._sites.dc._msdcs.<domain>) first, asked of the
 * resolver (res_nquery, read with libresolv's ns_parserr) and ordered as
 * RFC 2782 asks: by priority, and within one priority by a weighted draw
 * from getrandom, so that daemons started together spread over DCs of
 * equal weight.  (libldap's ldap_domain2hostlist is not used: its draw is
 * seeded from the clock in seconds through a generator so coarse that
 * every host of a fleet takes the same DC for a day, then the other.)
 * Each DC becomes ldap://<its name>:<port>: a name, never an address, so
 * GSSAPI asks for the DC's SPN (ldap/<name>).
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ldap.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dir.h"
#include "dirpriv.h"
#include "log.h"
#include "name.h"
#include "xmem.h"

#define DIR_SRV_READ 256		/* records read of one answer */
#define DIR_SRV_ANSWER 65535		/* the largest DNS message */

/* "host:port" (a DNS answer: checked before it goes anywhere) -> the URI
 * at out; 0 / -1: not a host name and port. */
static int
dir_dc_uri(const char *hp, size_t len, char out[DIR_URI_BUF])
{
	char host[NAME_FQDN_BUF + 2], fqdn[NAME_FQDN_BUF], err[128];
	const char *colon = memchr(hp, ':', len);
	size_t hlen = colon != NULL ? (size_t)(colon - hp) : len, i;
	unsigned long port = 389;
	struct in_addr a4;

	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, hp, hlen);
	host[hlen] = '\0';
	if (colon != NULL) {
		if (len - hlen < 2 || len - hlen > 6)
			return -1;
		for (i = hlen + 1, port = 0; i < len; i++) {
			if (hp[i] < '0' || hp[i] > '9')
				return -1;
			port = port * 10 + (unsigned long)(hp[i] - '0');
		}
		if (port == 0 || port > 65535)
			return -1;
	}
	/* a target is a name (RFC 2782); one that reads as an IPv4 address
	 * would make GSSAPI ask for ldap/<address> */
	if (inet_pton(AF_INET, host, &a4) == 1 ||
	    name_zone_check(host, fqdn, err, sizeof(err)) == -1)
		return -1;
	return xsnprintf(out, DIR_URI_BUF, "ldap://%s:%lu", fqdn, port);
}

/* The DC at "host:port" added to uris unless there: 0, or -1 when it is no
 * host name and port. */
static int
dir_dc_add(const char *hp, size_t len, char (*uris)[DIR_URI_BUF], size_t max,
    size_t *n)
{
	char uri[DIR_URI_BUF];
	size_t i;

	if (dir_dc_uri(hp, len, uri) == -1)
		return -1;
	for (i = 0; i < *n && strcmp(uris[i], uri) != 0; i++)
		;
	if (i == *n && *n < max)
		(void)xstrlcpy(uris[(*n)++], uri, DIR_URI_BUF);
	return 0;
}

int
dir_dc_take(const char *hostlist, char (*uris)[DIR_URI_BUF], size_t max,
    size_t *n)
{
	const char *p = hostlist, *end;
	size_t len, bad = 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ' ');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (dir_dc_add(p, len, uris, max, n) == -1)
			bad++;
		p += len;
	}
	return bad == 0 ? 0 : -1;
}

/* Move r[m] to r[k] (k <= m), the records between one place on. */
static void
dir_srv_lift(struct dir_srv *r, size_t k, size_t m)
{
	struct dir_srv t = r[m];

	memmove(&r[k + 1], &r[k], (m - k) * sizeof(*r));
	r[k] = t;
}

/* a goes before b: a lower priority, or weight 0 within one (RFC 2782) */
static int
dir_srv_before(const struct dir_srv *a, const struct dir_srv *b)
{
	return a->prio < b->prio ||
	    (a->prio == b->prio && a->weight == 0 && b->weight != 0);
}

void
dir_srv_order(struct dir_srv *r, size_t n, uint32_t (*rnd)(void *),
    void *arg)
{
	size_t i, j, k, m;
	uint32_t sum, run, draw;

	/* by priority, weight 0 first within one (a stable insertion sort of
	 * at most DIR_SRV_READ records) */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && dir_srv_before(&r[i], &r[j - 1]); j--)
			;
		if (j < i)
			dir_srv_lift(r, j, i);
	}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && r[j].prio == r[i].prio; j++)
			;
		for (k = i; k + 1 < j; k++) {
			for (m = k, sum = 0; m < j; m++)
				sum += r[m].weight;
			draw = rnd(arg) % (sum + 1);
			for (m = k, run = 0; m + 1 < j; m++) {
				run += r[m].weight;
				if (run >= draw)
					break;
			}
			dir_srv_lift(r, k, m);
		}
	}
}

static uint32_t
dir_srv_random(void *arg)
{
	uint32_t v = 0;

	(void)arg;
	/* no random source (never on Linux >= 3.17): the answer's order */
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = 0;
	return v;
}

/* The SRV records of qname from the resolver, at most max at r, in the
 * answer's order (a target "." or a port 0 skipped): 0, or -1 when there
 * is no answer. */
static int
dir_srv_lookup(const char *qname, struct dir_srv *r, size_t max, size_t *n)
{
	struct __res_state rs;
	unsigned char *ans;
	const unsigned char *rd;
	ns_msg msg;
	ns_rr rr;
	int len, i, rc = -1;

	*n = 0;
	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) == -1)
		return -1;
	ans = xmalloc(DIR_SRV_ANSWER);
	len = res_nquery(&rs, qname, ns_c_in, ns_t_srv, ans, DIR_SRV_ANSWER);
	if (len < 0 || len > DIR_SRV_ANSWER ||
	    ns_initparse(ans, len, &msg) == -1)
		goto out;
	for (i = 0; i < ns_msg_count(msg, ns_s_an) && *n < max; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1)
			break;
		if (ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7)
			continue;
		rd = ns_rr_rdata(rr);
		r[*n].prio = ns_get16(rd);
		r[*n].weight = ns_get16(rd + 2);
		r[*n].port = ns_get16(rd + 4);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6,
		    r[*n].target, sizeof(r[*n].target)) < 0 ||
		    r[*n].target[0] == '\0' || r[*n].port == 0)
			continue;
		(*n)++;
	}
	rc = 0;
out:
	free(ans);
	res_nclose(&rs);
	return rc;
}

/* The DCs of one SRV name, in RFC 2782 order, added to uris: 0, or -1
 * when an answer's target was no host name. */
static int
dir_dc_ask(const char *qname, char (*uris)[DIR_URI_BUF], size_t max,
    size_t *n)
{
	struct dir_srv *r = xcalloc(DIR_SRV_READ, sizeof(*r));
	char hp[sizeof(r->target) + 7];
	size_t nr = 0, i;
	int rc = 0;

	/* all read are ordered (the best priority may come last in the
	 * answer), then offered in that order until max are kept (a
	 * target that is no host name is skipped, the next one taken) */
	if (dir_srv_lookup(qname, r, DIR_SRV_READ, &nr) == -1 || nr == 0)
		goto out;
	dir_srv_order(r, nr, dir_srv_random, NULL);
	for (i = 0; i < nr && *n < max; i++)
		if (xsnprintf(hp, sizeof(hp), "%s:%u", r[i].target,
		    r[i].port) == -1 ||
		    dir_dc_add(hp, strlen(hp), uris, max, n) == -1)
			rc = -1;
out:
	free(r);
	return rc;
}

int
dir_dc_find(const char *domain, const char *site, char (*uris)[DIR_URI_BUF],
    size_t max, size_t *n, char *err, size_t errlen)
{
	char q[2][NAME_FQDN_BUF * 2];
	int i, first = site != NULL && site[0] != '\0' ? 0 : 1, bad = 0;

	*n = 0;
	if (xsnprintf(q[0], sizeof(q[0]), "_ldap._tcp.%s._sites.dc._msdcs.%s",
	    site != NULL ? site : "", domain) == -1 ||
	    xsnprintf(q[1], sizeof(q[1]), "_ldap._tcp.dc._msdcs.%s",
	    domain) == -1) {
		(void)xsnprintf(err, errlen, "domain name too long");
		return -1;
	}
	for (i = first; i < 2; i++)
		if (dir_dc_ask(q[i], uris, max, n) == -1)
			bad = 1;
	if (*n > 0)
		return 0;
	(void)xsnprintf(err, errlen, "no domain controller found: %s SRV "
	    "records of %s%s%s", bad ? "no usable" : "no", q[1],
	    first == 0 ? " nor of " : "", first == 0 ? q[0] : "");
	return -1;
}

size_t
dir_dc_uris(struct dir *d, const char **uris, char *err, size_t errlen)
{
	size_t i;

	if (d->params.nuris > 0) {
		for (i = 0; i < d->params.nuris; i++)
			uris[i] = d->params.uris[i];
		return d->params.nuris;
	}
	if (d->params.domain == NULL) {
		(void)xsnprintf(err, errlen, "no LDAP URI configured");
		return 0;
	}
	if (d->nfound == 0) {
		if (dir_dc_find(d->params.domain, d->params.site, d->found,
		    DIR_MAX_URIS, &d->nfound, err, errlen) == -1)
			return 0;
		log_info("domain controllers of %s from DNS: %zu (%s first)",
		    d->params.domain, d->nfound, d->found[0]);
		d->uri = 0;
	}
	for (i = 0; i < d->nfound; i++)
		uris[i] = d->found[i];
	return d->nfound;
}

size_t
dir_dc_addrs(const struct dir *d, struct sockaddr_storage *out, size_t max)
{
	const char *list[DIR_MAX_URIS];
	struct addrinfo hints, *res, *ai;
	LDAPURLDesc *lud;
	size_t nl, i, n = 0;

	nl = d->params.nuris > 0 ? d->params.nuris : d->nfound;
	for (i = 0; i < nl && i < DIR_MAX_URIS; i++)
		list[i] = d->params.nuris > 0 ? d->params.uris[i] : d->found[i];
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < nl && i < DIR_MAX_URIS && n < max; i++) {
		if (ldap_url_parse(list[i], &lud) != LDAP_URL_SUCCESS)
			continue;
		if (lud->lud_host != NULL && lud->lud_host[0] != '\0' &&
		    getaddrinfo(lud->lud_host, NULL, &hints, &res) == 0) {
			for (ai = res; ai != NULL && n < max; ai = ai->ai_next)
				if ((ai->ai_family == AF_INET ||
				    ai->ai_family == AF_INET6) &&
				    ai->ai_addrlen <= sizeof(*out))
					memcpy(&out[n++], ai->ai_addr,
					    ai->ai_addrlen);
			freeaddrinfo(res);
		}
		ldap_free_urldesc(lud);
	}
	return n;
}
