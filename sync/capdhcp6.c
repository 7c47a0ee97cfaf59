/*
 * capdhcp6.c - DHCPv6 messages and neighbour advertisements into a
 * capdhcp_msg (capdhcp6.h).  Pure and bounded: every option's length is
 * checked against what holds it, the loops end at the end of their bytes.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "capdhcp6.h"

#define D6_SOLICIT 1
#define D6_REQUEST 3
#define D6_RENEW 5
#define D6_REBIND 6
#define D6_REPLY 7
#define D6_RELEASE 8
#define D6_DECLINE 9
#define O6_CLIENTID 1
#define O6_IA_NA 3
#define O6_IAADDR 5
#define O6_STATUS 13
#define O6_FQDN 39
#define ND_NA 136

struct opt6 {
	int failed;			/* a status code other than Success */
	uint32_t minvalid;		/* shortest valid lifetime > 0 */
	int release;			/* client message: lifetimes ignored */
};

/* One IAADDR: the address, if still valid (or the message gives it up). */
static void
iaaddr(const uint8_t *q, size_t len, struct capdhcp_msg *m, struct opt6 *o)
{
	uint32_t valid;

	if (len < 24)
		return;
	valid = capdhcp_get32(q + 20);
	if (!o->release && valid == 0)
		return;			/* withdrawn */
	capdhcp_add_addr(m, AF_INET6, q);
	if (!o->release && (o->minvalid == 0 || valid < o->minvalid))
		o->minvalid = valid;
}

/* The options of p/len; in an IA_NA (inia), IAADDRs and status codes. */
static int
walk6(const uint8_t *p, size_t len, int inia, struct capdhcp_msg *m,
    struct opt6 *o);

static void
ia_na(const uint8_t *q, size_t len, struct capdhcp_msg *m, struct opt6 *o)
{
	struct opt6 ia = *o;
	size_t before = m->naddrs;

	if (len < 12)
		return;
	ia.failed = 0;
	if (walk6(q + 12, len - 12, 1, m, &ia) == -1 || ia.failed) {
		m->naddrs = before;	/* this IA gave nothing */
		return;
	}
	o->minvalid = ia.minvalid;
}

static void
duid(const uint8_t *q, size_t len, struct capdhcp_msg *m)
{
	if (len <= CAPDHCP_ID_MAX && m->idlen == 0) {
		memcpy(m->id, q, len);
		m->idlen = len;
	}
}

static void
fqdn6(const uint8_t *q, size_t len, struct capdhcp_msg *m)
{
	const uint8_t *lab;
	size_t lablen;

	if (len < 1 || capdhcp_wire_label(q + 1, len - 1, &lab, &lablen) == -1)
		capdhcp_set_name(m, q, 0);	/* given, and no label */
	else
		capdhcp_set_name(m, lab, lablen);
}

static int
walk6(const uint8_t *p, size_t len, int inia, struct capdhcp_msg *m,
    struct opt6 *o)
{
	size_t i = 0, olen;
	unsigned code;

	while (len - i >= 4) {
		code = capdhcp_get16(p + i);
		olen = capdhcp_get16(p + i + 2);
		i += 4;
		if (olen > len - i)
			return -1;
		if (code == O6_STATUS && olen >= 2 && capdhcp_get16(p + i) != 0)
			o->failed = 1;
		else if (inia && code == O6_IAADDR)
			iaaddr(p + i, olen, m, o);
		else if (!inia && code == O6_IA_NA)
			ia_na(p + i, olen, m, o);
		else if (!inia && code == O6_CLIENTID)
			duid(p + i, olen, m);
		else if (!inia && code == O6_FQDN && !m->name_given)
			fqdn6(p + i, olen, m);
		i += olen;
	}
	return i == len ? 0 : -1;
}

/* DUID-LLT (1) or DUID-LL (3) of Ethernet (hardware type 1): its MAC. */
static int
duid_mac(const struct capdhcp_msg *m, uint8_t mac[6])
{
	size_t at;

	if (m->idlen < 4 || capdhcp_get16(m->id + 2) != 1)
		return -1;
	at = capdhcp_get16(m->id) == 1 ? 8 : capdhcp_get16(m->id) == 3 ? 4 : 0;
	if (at == 0 || m->idlen != at + 6)
		return -1;
	memcpy(mac, m->id + at, 6);
	return 0;
}

static enum capdhcp_kind
kind6(unsigned type)
{
	switch (type) {
	case D6_SOLICIT: case D6_REQUEST: case D6_RENEW: case D6_REBIND:
		return CAPDHCP6_ASK;
	case D6_REPLY: return CAPDHCP6_REPLY;
	case D6_RELEASE: return CAPDHCP6_RELEASE;
	case D6_DECLINE: return CAPDHCP6_DECLINE;
	}
	return CAPDHCP_NONE;
}

int
capdhcp6_decode(const uint8_t *eth, const uint8_t *p, size_t len,
    struct capdhcp_msg *m)
{
	enum capdhcp_kind k;
	struct opt6 o;

	memset(&o, 0, sizeof(o));
	if (len < 4 || (k = kind6(p[0])) == CAPDHCP_NONE)
		return -1;
	o.release = k == CAPDHCP6_RELEASE || k == CAPDHCP6_DECLINE;
	if (walk6(p + 4, len - 4, 0, m, &o) == -1 || o.failed)
		return -1;
	if (k == CAPDHCP6_REPLY) {
		if (m->naddrs == 0)
			return -1;	/* answers a Release, or no address */
		m->lease = o.minvalid == 0xffffffffU ? 0 : o.minvalid;
		if (eth[0] & 1) {	/* not sent to one client */
			if (duid_mac(m, m->mac) == -1)
				return -1;
		} else {
			memcpy(m->mac, eth, 6);
		}
	} else {
		if (k != CAPDHCP6_ASK && m->naddrs == 0)
			return -1;
		memcpy(m->mac, eth + 6, 6);
	}
	m->kind = k;
	return 0;
}

int
capdhcp6_icmp(const uint8_t *eth, const uint8_t *p, size_t len,
    unsigned hoplimit, struct capdhcp_msg *m)
{
	if (len < 24 || p[0] != ND_NA || p[1] != 0 || hoplimit != 255)
		return -1;
	memcpy(m->mac, eth + 6, 6);
	capdhcp_add_addr(m, AF_INET6, p + 8);
	m->kind = CAPDHCP_NA;
	return 0;
}
