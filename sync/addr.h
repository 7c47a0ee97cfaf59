/*
 * addr.h - the IP addresses a VM may have: text -> struct event_addr, the
 * special-purpose addresses no VM registers and no nftables set gets, and
 * networks (address/prefix) for the allow-list of vmgroupd.conf(5).
 *
 * Special-purpose (refused in every mode, see doc/spool.md):
 *   IPv4  0.0.0.0/8 (unspecified, "this network"), 127.0.0.0/8 (loopback),
 *         169.254.0.0/16 (link-local), 224.0.0.0/4 (multicast),
 *         255.255.255.255 (limited broadcast) and the rest of 240.0.0.0/4
 *         (reserved)
 *   IPv6  :: (unspecified), ::1 (loopback), fe80::/10 (link-local),
 *         ff00::/8 (multicast), ::ffff:0:0/96 (IPv4-mapped)
 * Such an address is never a VM's own: in a DNS answer or a drop set it
 * names every machine, or the host itself, or the network's own traffic
 * (ff02::1 in a drop set breaks neighbour discovery).
 */
#ifndef VMG_ADDR_H
#define VMG_ADDR_H

#include <stddef.h>

#include "event.h"

#define ADDR_MAX_NETS 32
#define ADDR_BAD (-1)			/* not an address */
#define ADDR_SPECIAL (-2)		/* a special-purpose address */

struct addr_net {
	struct event_addr base;		/* no bits set after the prefix */
	unsigned prefix;		/* 0-32 or 0-128 */
};

struct addr_nets {			/* n == 0: every address allowed */
	struct addr_net net[ADDR_MAX_NETS];
	size_t n;
};

/* The class of a special-purpose address with its range ("loopback
 * (127.0.0.0/8)"), or NULL for an ordinary unicast address. */
const char *addr_special(const struct event_addr *a);
/* Text (inet_pton, no zone id) -> *a.  0; ADDR_BAD or ADDR_SPECIAL with
 * why = "(\"TEXT\") is ..." (raw input only quoted through name_quote). */
int addr_parse(const char *s, struct event_addr *a, char *why,
    size_t whylen);
/* "10.0.0.0/8", "fd00::/8" -> *n.  0; -1 with why (no bits may be set
 * after the prefix, the prefix is 0-32 / 0-128 in decimal). */
int addr_net_parse(const char *s, struct addr_net *n, char *why,
    size_t whylen);
int addr_net_format(const struct addr_net *n, char *out, size_t outlen);
/* 1 if a lies in n. */
int addr_net_contains(const struct addr_net *n, const struct event_addr *a);
/* 1 if nets is empty or a lies in one of its networks. */
int addr_nets_allow(const struct addr_nets *nets, const struct event_addr *a);
/* The allow-list for one event: 0 if every address is allowed (a release
 * always is: it only takes away); -1 with why naming the first address
 * outside every network and the setting. */
int addr_event_allowed(const struct addr_nets *nets, const struct event *ev,
    char *why, size_t whylen);

#endif
