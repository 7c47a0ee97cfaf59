/*
 * capdhcp.c - a captured frame -> a DHCPv4 message, an ARP sender (see
 * capdhcp.h); IPv6 goes on to capdhcp6.c.  Pure and bounded.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "capdhcp.h"
#include "capdhcp6.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define MAX_TAGS 2
#define BOOTP_LEN 236			/* the fixed part */
#define DHCP_COOKIE 0x63825363U
#define FQDN_E 0x04			/* option 81: the name in wire format */

struct opt4 {				/* what the options said */
	int type;			/* option 53; 0 none */
	int have12;			/* option 12 seen: it wins over 81 */
	int have50;
	uint8_t requested[4];		/* option 50 */
};

void
capdhcp_set_name(struct capdhcp_msg *m, const uint8_t *p, size_t len)
{
	if (len > CAPDHCP_NAME_MAX)
		len = CAPDHCP_NAME_MAX;
	memcpy(m->name, p, len);
	m->name[len] = '\0';
	m->namelen = len;
	m->name_given = 1;
}

int
capdhcp_wire_label(const uint8_t *p, size_t len, const uint8_t **lab,
    size_t *lablen)
{
	if (len < 2 || p[0] == 0 || p[0] > 63 || (size_t)p[0] > len - 1)
		return -1;
	*lab = p + 1;
	*lablen = p[0];
	return 0;
}

void
capdhcp_add_addr(struct capdhcp_msg *m, int family, const uint8_t *p)
{
	struct event_addr *a;

	if (m->naddrs >= CAPDHCP_MAX_ADDRS)
		return;
	a = &m->addrs[m->naddrs++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == AF_INET)
		memcpy(&a->u.v4, p, 4);
	else
		memcpy(&a->u.v6, p, 16);
}

const char *
capdhcp_what(enum capdhcp_kind kind)
{
	switch (kind) {
	case CAPDHCP_ASK: return "DHCPREQUEST";
	case CAPDHCP_ACK: return "DHCPACK";
	case CAPDHCP_RELEASE: return "DHCPRELEASE";
	case CAPDHCP_DECLINE: return "DHCPDECLINE";
	case CAPDHCP6_ASK: return "DHCPv6 Request";
	case CAPDHCP6_REPLY: return "DHCPv6 Reply";
	case CAPDHCP6_RELEASE: return "DHCPv6 Release";
	case CAPDHCP6_DECLINE: return "DHCPv6 Decline";
	case CAPDHCP_ARP: return "ARP";
	case CAPDHCP_NA: return "NA";
	case CAPDHCP_NONE: break;
	}
	return "nothing";
}

/* Option 81: flags, two rcodes, then the name; its first label. */
static void
opt_fqdn(struct capdhcp_msg *m, const uint8_t *q, size_t len)
{
	const uint8_t *lab = q + 3, *dot;
	size_t lablen;

	if (len < 3) {
		capdhcp_set_name(m, q, 0);	/* given, and no label */
		return;
	}
	lablen = len - 3;
	if (q[0] & FQDN_E) {
		if (capdhcp_wire_label(q + 3, len - 3, &lab, &lablen) == -1)
			lablen = 0;
	} else if ((dot = memchr(lab, '.', lablen)) != NULL) {
		lablen = (size_t)(dot - lab);
	}
	capdhcp_set_name(m, lab, lablen);
}

static void
opt4_one(unsigned code, const uint8_t *q, size_t len, struct capdhcp_msg *m,
    struct opt4 *o)
{
	switch (code) {
	case 53:
		if (len == 1 && o->type == 0)
			o->type = q[0];
		break;
	case 12:
		if (!o->have12)
			capdhcp_set_name(m, q, len);
		o->have12 = 1;
		break;
	case 81:
		if (!o->have12 && !m->name_given)
			opt_fqdn(m, q, len);
		break;
	case 51:
		if (len == 4)
			m->lease = capdhcp_get32(q);
		break;
	case 61:
		if (len <= CAPDHCP_ID_MAX && m->idlen == 0) {
			memcpy(m->id, q, len);
			m->idlen = len;
		}
		break;
	case 50:
		if (len == 4) {
			memcpy(o->requested, q, 4);
			o->have50 = 1;
		}
		break;
	}
}

/* The options after the cookie: -1 if one runs past the end. */
static int
opt4_walk(const uint8_t *p, size_t len, struct capdhcp_msg *m,
    struct opt4 *o)
{
	size_t i = 0, olen;
	unsigned code;

	while (i < len) {
		code = p[i++];
		if (code == 0)
			continue;
		if (code == 255)
			break;
		if (i >= len)
			return -1;
		olen = p[i++];
		if (olen > len - i)
			return -1;
		opt4_one(code, p + i, olen, m, o);
		i += olen;
	}
	return 0;
}

static int
nonzero4(const uint8_t *p)
{
	return (p[0] | p[1] | p[2] | p[3]) != 0;
}

static int
dhcp4(const uint8_t *p, size_t len, struct capdhcp_msg *m)
{
	struct opt4 o;

	memset(&o, 0, sizeof(o));
	if (len < BOOTP_LEN + 4 || capdhcp_get32(p + BOOTP_LEN) != DHCP_COOKIE)
		return -1;
	if (p[1] != 1 || p[2] != 6)	/* Ethernet hardware addresses only */
		return -1;
	memcpy(m->mac, p + 28, 6);
	if (opt4_walk(p + BOOTP_LEN + 4, len - BOOTP_LEN - 4, m, &o) == -1)
		return -1;
	if (p[0] == 1 && (o.type == 1 || o.type == 3))
		m->kind = CAPDHCP_ASK;
	else if (p[0] == 2 && o.type == 5 && nonzero4(p + 16)) {
		m->kind = CAPDHCP_ACK;		/* an INFORM's ACK has no yiaddr */
		capdhcp_add_addr(m, AF_INET, p + 16);
	} else if (p[0] == 1 && o.type == 7 && nonzero4(p + 12)) {
		m->kind = CAPDHCP_RELEASE;
		capdhcp_add_addr(m, AF_INET, p + 12);
	} else if (p[0] == 1 && o.type == 4 && o.have50) {
		m->kind = CAPDHCP_DECLINE;
		capdhcp_add_addr(m, AF_INET, o.requested);
	}
	return m->kind == CAPDHCP_NONE ? -1 : 0;
}

/* A UDP datagram (header included, len bytes as the IP layer says). */
static int
udp(const uint8_t *eth, const uint8_t *p, size_t len, int v6,
    struct capdhcp_msg *m)
{
	unsigned sport, dport;
	size_t ulen;

	if (len < 8)
		return -1;
	sport = capdhcp_get16(p);
	dport = capdhcp_get16(p + 2);
	ulen = capdhcp_get16(p + 4);
	if (ulen < 8 || ulen > len)
		return -1;
	if (!v6 && (sport == 67 || sport == 68) && (dport == 67 || dport == 68))
		return dhcp4(p + 8, ulen - 8, m);
	if (v6 && (sport == 546 || sport == 547) &&
	    (dport == 546 || dport == 547))
		return capdhcp6_decode(eth, p + 8, ulen - 8, m);
	return -1;
}

static int
ipv4(const uint8_t *eth, const uint8_t *ip, size_t len,
    struct capdhcp_msg *m)
{
	size_t ihl, tot;

	if (len < 20 || (ip[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = capdhcp_get16(ip + 2);
	if (ihl < 20 || tot < ihl || tot > len)
		return -1;
	if (ip[9] != 17 || (capdhcp_get16(ip + 6) & 0x3fff) != 0)
		return -1;		/* not UDP, or a fragment */
	return udp(eth, ip + ihl, tot - ihl, 0, m);
}

static int
ipv6(const uint8_t *eth, const uint8_t *ip, size_t len,
    struct capdhcp_msg *m)
{
	size_t plen;

	if (len < 40 || (ip[0] >> 4) != 6)
		return -1;
	plen = capdhcp_get16(ip + 4);
	if (plen > len - 40)
		return -1;
	if (ip[6] == 17)
		return udp(eth, ip + 40, plen, 1, m);
	if (ip[6] == 58)
		return capdhcp6_icmp(eth, ip + 40, plen, ip[7], m);
	return -1;			/* extension headers: not followed */
}

static int
arp(const uint8_t *p, size_t len, struct capdhcp_msg *m)
{
	unsigned op;

	if (len < 28 || capdhcp_get16(p) != 1 ||
	    capdhcp_get16(p + 2) != ETHERTYPE_IPV4 || p[4] != 6 || p[5] != 4)
		return -1;
	op = capdhcp_get16(p + 6);
	if ((op != 1 && op != 2) || !nonzero4(p + 14))
		return -1;		/* an ARP probe has sender 0.0.0.0 */
	memcpy(m->mac, p + 8, 6);
	capdhcp_add_addr(m, AF_INET, p + 14);
	m->kind = CAPDHCP_ARP;
	return 0;
}

int
capdhcp_decode(const uint8_t *f, size_t caplen, struct capdhcp_msg *m)
{
	size_t off = ETH_HLEN;
	unsigned type;
	int tags = 0;

	m->kind = CAPDHCP_NONE;
	m->name_given = 0;
	m->namelen = 0;
	m->name[0] = '\0';
	m->naddrs = 0;
	m->lease = 0;
	m->idlen = 0;
	if (caplen < ETH_HLEN)
		return -1;
	type = capdhcp_get16(f + 12);
	while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) &&
	    tags++ < MAX_TAGS) {
		if (caplen - off < 4)
			return -1;
		type = capdhcp_get16(f + off + 2);
		off += 4;
	}
	if (type == ETHERTYPE_IPV4)
		return ipv4(f, f + off, caplen - off, m);
	if (type == ETHERTYPE_IPV6)
		return ipv6(f, f + off, caplen - off, m);
	if (type == ETHERTYPE_ARP)
		return arp(f + off, caplen - off, m);
	return -1;
}
