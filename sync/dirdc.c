/*
 * dirdc.c - the domain's DCs from DNS (dir.h, uri = auto): the SRV records
 * _ldap._tcp.dc._msdcs.<domain>, those of the host's AD site
 * (_ldap._tcp.<site>._sites.dc._msdcs.<domain>) first, through libldap's
 * ldap_domain2hostlist (priority order, weighted within one priority,
 * RFC 2782).  Each DC becomes ldap://<its name>:<port>: a name, never an
 * address, so GSSAPI asks for the DC's SPN (ldap/<name>).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ldap.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "dirpriv.h"
#include "log.h"
#include "name.h"
#include "xmem.h"

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

int
dir_dc_take(const char *hostlist, char (*uris)[DIR_URI_BUF], size_t max,
    size_t *n)
{
	const char *p = hostlist, *end;
	char uri[DIR_URI_BUF];
	size_t len, i, bad = 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ' ');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (dir_dc_uri(p, len, uri) == -1)
			bad++;
		else {
			for (i = 0; i < *n && strcmp(uris[i], uri) != 0; i++)
				;
			if (i == *n && *n < max)
				(void)xstrlcpy(uris[(*n)++], uri, DIR_URI_BUF);
		}
		p += len;
	}
	return bad == 0 ? 0 : -1;
}

int
dir_dc_find(const char *domain, const char *site, char (*uris)[DIR_URI_BUF],
    size_t max, size_t *n, char *err, size_t errlen)
{
	char q[2][NAME_FQDN_BUF * 2];
	char *list;
	int i, rc, bad = 0;

	*n = 0;
	if (xsnprintf(q[0], sizeof(q[0]), "%s._sites.dc._msdcs.%s",
	    site != NULL ? site : "", domain) == -1 ||
	    xsnprintf(q[1], sizeof(q[1]), "dc._msdcs.%s", domain) == -1) {
		(void)xsnprintf(err, errlen, "domain name too long");
		return -1;
	}
	for (i = site != NULL && site[0] != '\0' ? 0 : 1; i < 2; i++) {
		list = NULL;
		rc = ldap_domain2hostlist(q[i], &list);
		if (rc == LDAP_SUCCESS && list != NULL &&
		    dir_dc_take(list, uris, max, n) == -1)
			bad = 1;
		ldap_memfree(list);
	}
	if (*n > 0)
		return 0;
	(void)xsnprintf(err, errlen, "no domain controller found: %s SRV "
	    "records of _ldap._tcp.dc._msdcs.%s", bad ? "no usable" : "no",
	    domain);
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
