/*
 * ownrec.c - the owner TXT value (see ownrec.h).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "ownrec.h"
#include "xmem.h"

#define OWNREC_PREFIX DNSREC_OWNER_TAG "1 host="
#define OWNREC_T_MAX ((int64_t)1 << 53)

int
ownrec_encode(struct dnsrec *rec, const char *host, int64_t t,
    uint8_t raw[OWNREC_RAW_BUF])
{
	char s1[sizeof(OWNREC_PREFIX) + NAME_LABEL_BUF], s2[24];
	char check[NAME_LABEL_BUF];
	size_t n1, n2;

	if (t < 0 || t >= OWNREC_T_MAX ||
	    name_label_syntax(host, check, NULL, 0) == -1 ||
	    strcmp(check, host) != 0 ||
	    xsnprintf(s1, sizeof(s1), "%s%s", OWNREC_PREFIX, host) == -1 ||
	    xsnprintf(s2, sizeof(s2), "t=%" PRId64, t) == -1)
		return -1;
	n1 = strlen(s1);
	n2 = strlen(s2);
	if (2 + n1 + n2 > OWNREC_RAW_BUF || n1 > 255)
		return -1;
	raw[0] = (uint8_t)n1;
	memcpy(raw + 1, s1, n1);
	raw[1 + n1] = (uint8_t)n2;
	memcpy(raw + 2 + n1, s2, n2);
	rec->type = DNSREC_TYPE_TXT;
	rec->raw = raw;
	rec->rawlen = (uint16_t)(2 + n1 + n2);
	return 0;
}

/* "t=<digits>" of n octets at p: its value, or -1. */
static int64_t
ownrec_time(const uint8_t *p, size_t n)
{
	int64_t t = 0;
	size_t i;

	if (n < 3 || n > 2 + 16 || p[0] != 't' || p[1] != '=' ||
	    (p[2] == '0' && n > 3))
		return -1;
	for (i = 2; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		t = t * 10 + (p[i] - '0');
	}
	return t < OWNREC_T_MAX ? t : -1;
}

int
ownrec_parse(const uint8_t *val, size_t len, struct ownrec *o)
{
	const size_t plen = sizeof(OWNREC_PREFIX) - 1;
	const uint8_t *d = val + DNSREC_HEADER_LEN;
	char host[NAME_LABEL_BUF], check[NAME_LABEL_BUF];
	size_t n1, n2, hlen;

	if (len < DNSREC_HEADER_LEN + 2 || val[2] != DNSREC_TYPE_TXT ||
	    val[3] != 0 || val[4] != DNSREC_VERSION)
		return 0;
	len -= DNSREC_HEADER_LEN;
	n1 = d[0];
	if (n1 <= plen || 1 + n1 + 1 > len ||
	    memcmp(d + 1, OWNREC_PREFIX, plen) != 0)
		return 0;
	n2 = d[1 + n1];
	if (2 + n1 + n2 != len)
		return 0;
	hlen = n1 - plen;
	if (hlen >= sizeof(host))
		return 0;
	memcpy(host, d + 1 + plen, hlen);
	host[hlen] = '\0';
	if (strlen(host) != hlen ||
	    name_label_syntax(host, check, NULL, 0) == -1 ||
	    strcmp(check, host) != 0)
		return 0;
	o->t = ownrec_time(d + 2 + n1, n2);
	if (o->t < 0)
		return 0;
	memcpy(o->host, host, hlen + 1);
	return 1;
}
