/*
 * cappkt.h - DHCP, ARP and NA frames built from a few fields, as a client,
 * a server or a neighbour sends them: for the tests, the bench and the
 * fuzz seeds of vmgroup-capture (never linked into the program).  The
 * server is 02:00:00:00:00:01, 192.0.2.1 / fe80::1.
 */
#ifndef VMG_CAPPKT_H
#define VMG_CAPPKT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define CAPPKT_MAX 1600

struct cappkt_v4 {
	int type;			/* option 53: 1, 3, 4, 5, 7, 8 */
	uint8_t mac[6];
	uint32_t ciaddr, yiaddr;	/* host order */
	uint32_t requested;		/* option 50 when not 0 */
	uint32_t lease;			/* option 51 when not 0 */
	const char *name;		/* option 12 when not NULL */
	const char *fqdn;		/* option 81 when not NULL */
	int fqdn_wire;			/* ... in wire format (flag E) */
	int vlan;			/* an 802.1Q tag with this id when > 0 */
};

struct cappkt_v6 {
	int type;			/* 1, 3, 5, 7, 8, 9 */
	uint8_t mac[6];			/* the client's */
	const struct in6_addr *addrs;	/* in one IA_NA */
	size_t naddrs;
	uint32_t valid;			/* each IAADDR's valid lifetime */
	int status;			/* IA_NA status code when >= 0 */
	const char *fqdn;		/* option 39 (one label) when not NULL */
	int vlan;
};

/* The frame into buf (CAPPKT_MAX); its length. */
size_t cappkt_dhcp4(uint8_t *buf, const struct cappkt_v4 *d);
size_t cappkt_dhcp6(uint8_t *buf, const struct cappkt_v6 *d);
size_t cappkt_arp(uint8_t *buf, const uint8_t mac[6], uint32_t ip);
size_t cappkt_na(uint8_t *buf, const uint8_t mac[6],
    const struct in6_addr *target);

#endif
