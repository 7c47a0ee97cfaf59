/*
 * cappkt.c - test frames for vmgroup-capture (cappkt.h).
 */
#include "config.h"

#include <string.h>

#include "cappkt.h"

static const uint8_t server_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t all_dhcp6[6] = { 0x33, 0x33, 0, 1, 0, 2 };

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Ethernet (and a tag): the offset of the payload. */
static size_t
eth(uint8_t *b, const uint8_t *dst, const uint8_t *src, unsigned type,
    int vlan)
{
	size_t off = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (vlan > 0) {
		put16(b + 12, 0x8100);
		put16(b + 14, (unsigned)vlan & 0x0fff);
		off = 16;
	}
	put16(b + off, type);
	return off + 2;
}

/* IPv4 + UDP headers around a payload of plen at b + off + 28. */
static size_t
ip4_udp(uint8_t *b, size_t off, uint32_t src, uint32_t dst, unsigned sport,
    unsigned dport, size_t plen)
{
	uint8_t *ip = b + off;
	uint32_t sum = 0;
	int i;

	memset(ip, 0, 28);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(28 + plen));
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
	put16(ip + 20, sport);
	put16(ip + 22, dport);
	put16(ip + 24, (unsigned)(8 + plen));
	return off + 28 + plen;
}

static size_t
opt(uint8_t *p, unsigned code, const void *data, size_t len)
{
	p[0] = (uint8_t)code;
	p[1] = (uint8_t)len;
	memcpy(p + 2, data, len);
	return 2 + len;
}

static size_t
opt_fqdn(uint8_t *p, const char *fqdn, int wire)
{
	uint8_t v[200];
	size_t n = strlen(fqdn), i = 3, lab, start = 0;

	if (n > 150)
		n = 150;
	v[0] = wire ? 0x05 : 0x01;
	v[1] = v[2] = 0;
	if (!wire) {
		memcpy(v + 3, fqdn, n);
		return opt(p, 81, v, 3 + n);
	}
	for (lab = 0; lab <= n; lab++)	/* "a.b" -> 1 a 1 b 0 */
		if (lab == n || fqdn[lab] == '.') {
			v[i++] = (uint8_t)(lab - start);
			memcpy(v + i, fqdn + start, lab - start);
			i += lab - start;
			start = lab + 1;
		}
	v[i++] = 0;
	return opt(p, 81, v, i);
}

static size_t
dhcp4_opts(uint8_t *p, const struct cappkt_v4 *d)
{
	uint8_t v[4];
	size_t n = 0;

	v[0] = (uint8_t)d->type;
	n += opt(p + n, 53, v, 1);
	if (d->requested) {
		put32(v, d->requested);
		n += opt(p + n, 50, v, 4);
	}
	if (d->lease) {
		put32(v, d->lease);
		n += opt(p + n, 51, v, 4);
	}
	if (d->name != NULL)
		n += opt(p + n, 12, d->name, strlen(d->name));
	if (d->fqdn != NULL)
		n += opt_fqdn(p + n, d->fqdn, d->fqdn_wire);
	p[n++] = 255;
	return n;
}

size_t
cappkt_dhcp4(uint8_t *buf, const struct cappkt_v4 *d)
{
	int reply = d->type == 2 || d->type == 5 || d->type == 6;
	size_t off, n;
	uint8_t *p;

	memset(buf, 0, CAPPKT_MAX);
	off = eth(buf, reply ? d->mac : bcast, reply ? server_mac : d->mac,
	    0x0800, d->vlan);	/* a client broadcasts */
	p = buf + off + 28;
	p[0] = reply ? 2 : 1;
	p[1] = 1;
	p[2] = 6;
	put32(p + 4, 0x1234);
	put32(p + 12, d->ciaddr);
	put32(p + 16, d->yiaddr);
	memcpy(p + 28, d->mac, 6);
	put32(p + 236, 0x63825363);
	n = 240 + dhcp4_opts(p + 240, d);
	return ip4_udp(buf, off, reply ? 0xc0000201 : d->ciaddr,
	    reply ? d->yiaddr : 0xffffffff, reply ? 67 : 68, reply ? 68 : 67,
	    n);
}

/* The IA_NA option of d at p: its length. */
static size_t
ia_na(uint8_t *p, const struct cappkt_v6 *d)
{
	size_t n = 16, i;

	put16(p, 3);
	put32(p + 4, 1);		/* IAID */
	put32(p + 8, 1800);
	put32(p + 12, 2880);
	for (i = 0; i < d->naddrs; i++, n += 28) {
		put16(p + n, 5);
		put16(p + n + 2, 24);
		memcpy(p + n + 4, &d->addrs[i], 16);
		put32(p + n + 20, d->valid / 2);
		put32(p + n + 24, d->valid);
	}
	if (d->status >= 0) {
		put16(p + n, 13);
		put16(p + n + 2, 2);
		put16(p + n + 4, (unsigned)d->status);
		n += 6;
	}
	put16(p + 2, (unsigned)(n - 4));
	return n;
}

static size_t
dhcp6_body(uint8_t *p, const struct cappkt_v6 *d)
{
	size_t n = 4, l;

	p[0] = (uint8_t)d->type;
	p[3] = 0x42;
	put16(p + n, 1);		/* client id: DUID-LL */
	put16(p + n + 2, 10);
	put16(p + n + 4, 3);
	put16(p + n + 6, 1);
	memcpy(p + n + 8, d->mac, 6);
	n += 14;
	if (d->naddrs > 0 || d->status >= 0)
		n += ia_na(p + n, d);
	if (d->fqdn != NULL) {
		l = strlen(d->fqdn) > 63 ? 63 : strlen(d->fqdn);
		put16(p + n, 39);
		put16(p + n + 2, (unsigned)(l + 3));
		p[n + 4] = 1;
		p[n + 5] = (uint8_t)l;
		memcpy(p + n + 6, d->fqdn, l);
		p[n + 6 + l] = 0;
		n += 7 + l;
	}
	return n;
}

size_t
cappkt_dhcp6(uint8_t *buf, const struct cappkt_v6 *d)
{
	int reply = d->type == 7;
	size_t off, n;
	uint8_t *ip;

	memset(buf, 0, CAPPKT_MAX);
	off = eth(buf, reply ? d->mac : all_dhcp6, reply ? server_mac :
	    d->mac, 0x86dd, d->vlan);
	ip = buf + off;
	n = dhcp6_body(ip + 48, d);
	ip[0] = 0x60;
	put16(ip + 4, (unsigned)(8 + n));
	ip[6] = 17;
	ip[7] = 1;
	ip[8] = 0xfe;
	ip[9] = 0x80;
	ip[23] = reply ? 1 : 2;
	ip[24] = reply ? 0xfe : 0xff;
	ip[25] = reply ? 0x80 : 0x02;
	ip[39] = reply ? 2 : 2;
	put16(ip + 40, reply ? 547 : 546);
	put16(ip + 42, reply ? 546 : 547);
	put16(ip + 44, (unsigned)(8 + n));
	return off + 48 + n;
}

size_t
cappkt_arp(uint8_t *buf, const uint8_t mac[6], uint32_t ip)
{
	size_t off;
	uint8_t *a;

	memset(buf, 0, CAPPKT_MAX);
	off = eth(buf, bcast, mac, 0x0806, 0);
	a = buf + off;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, mac, 6);
	put32(a + 14, ip);
	put32(a + 24, 0xc0000201);
	return off + 28;
}

size_t
cappkt_na(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *target)
{
	size_t off;
	uint8_t *ip;

	memset(buf, 0, CAPPKT_MAX);
	off = eth(buf, all_dhcp6, mac, 0x86dd, 0);
	ip = buf + off;
	ip[0] = 0x60;
	put16(ip + 4, 32);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, target, 16);
	ip[24] = 0xff;
	ip[25] = 0x02;
	ip[39] = 1;
	ip[40] = 136;
	memcpy(ip + 48, target, 16);
	ip[64] = 2;			/* target link-layer address */
	ip[65] = 1;
	memcpy(ip + 66, mac, 6);
	return off + 72;
}
