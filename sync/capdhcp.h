/*
 * capdhcp.h - one captured frame -> what vmgroup-capture needs of it (pure,
 * no I/O): Ethernet (one or two 802.1Q/802.1ad tags) -> IPv4 (any IHL, no
 * fragments) / IPv6 (UDP or ICMPv6 right after the fixed header; other
 * next headers are skipped) -> UDP -> DHCPv4 (ports 67/68) or DHCPv6
 * (546/547, capdhcp6.c); with the ARP senders and IPv6 neighbour
 * advertisements for static VMs.
 *
 * Every length is checked against the captured bytes: a truncated or
 * malformed frame is refused (-1), never read past.  Names are kept as the
 * raw bytes the client sent (untrusted: validate with name_vm_check, quote
 * with name_quote).
 */
#ifndef VMG_CAPDHCP_H
#define VMG_CAPDHCP_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define CAPDHCP_MAX_ADDRS 8	/* addresses kept of one message */
#define CAPDHCP_NAME_MAX 255	/* raw name bytes kept */
#define CAPDHCP_ID_MAX 130	/* client id (61) / DUID bytes kept */

enum capdhcp_kind {
	CAPDHCP_NONE,
	CAPDHCP_ASK,		/* v4 DISCOVER/REQUEST: a name to remember */
	CAPDHCP_ACK,		/* v4 ACK with yiaddr: a lease */
	CAPDHCP_RELEASE,	/* v4 RELEASE of ciaddr */
	CAPDHCP_DECLINE,	/* v4 DECLINE of the requested address (50) */
	CAPDHCP6_ASK,		/* v6 Solicit/Request/Renew/Rebind */
	CAPDHCP6_REPLY,		/* v6 Reply with IAADDRs of valid lifetime > 0 */
	CAPDHCP6_RELEASE,
	CAPDHCP6_DECLINE,
	CAPDHCP_ARP,		/* an ARP sender (request or reply) */
	CAPDHCP_NA		/* an IPv6 neighbour advertisement's target */
};

struct capdhcp_msg {
	enum capdhcp_kind kind;
	uint8_t mac[6];			/* the client's */
	int name_given;			/* option 12/81 (v4), 39 (v6) present */
	size_t namelen;
	char name[CAPDHCP_NAME_MAX + 1];	/* raw; NUL-terminated, may hold
						 * a NUL before namelen */
	struct event_addr addrs[CAPDHCP_MAX_ADDRS];
	size_t naddrs;
	uint32_t lease;			/* seconds; 0: none given */
	size_t idlen;
	uint8_t id[CAPDHCP_ID_MAX];	/* option 61, or the client DUID */
};

/* 0 with m filled (m->kind != CAPDHCP_NONE), or -1: not a message of
 * interest, or malformed. */
int capdhcp_decode(const uint8_t *frame, size_t caplen,
    struct capdhcp_msg *m);
/* The packet's name for log lines: "DHCPACK", "DHCPv6 Reply", "ARP" ... */
const char *capdhcp_what(enum capdhcp_kind kind);
/* Big-endian reads for the decoders (the caller checked the length);
 * inline: the option walks call them for every option. */
static inline uint16_t
capdhcp_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
capdhcp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}
/* A name option's bytes into m (at most CAPDHCP_NAME_MAX kept). */
void capdhcp_set_name(struct capdhcp_msg *m, const uint8_t *p, size_t len);
/* The first label of a DNS wire-format name: 0 with *lab and *lablen, -1 if
 * the first length octet is 0, over 63 or past len. */
int capdhcp_wire_label(const uint8_t *p, size_t len, const uint8_t **lab,
    size_t *lablen);
/* Add an address to m (ignored past CAPDHCP_MAX_ADDRS). */
void capdhcp_add_addr(struct capdhcp_msg *m, int family, const uint8_t *p);

#endif
