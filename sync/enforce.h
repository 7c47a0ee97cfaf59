/*
 * enforce.h - blocked groups -> nftables set elements.
 *
 * The enforcer keeps two named sets, blocked4 (ipv4_addr) and blocked6
 * (ipv6_addr), in a table of its own, holding every address of every
 * vmGroup object whose vmGroupBlocked is TRUE.  The rules that drop
 * traffic from and to @blocked4 / @blocked6 are enforce_rules' (vmgroup
 * enforce --install-rules) or the administrator's (see vmgroup(1)); the
 * sets are replaced in one nftables transaction, so a firewall never
 * sees them half-updated.
 */
#ifndef VMG_ENFORCE_H
#define VMG_ENFORCE_H

#include <stddef.h>

#include "event.h"

#define ENFORCE_TABLE "vmgroup"

struct enforce_set {
	struct event_addr *addrs;	/* sorted, distinct */
	size_t naddrs;
};

/* Add the address in text form (from the directory: checked here with
 * addr_parse).  0; ADDR_BAD (-1) for a value that is no address,
 * ADDR_SPECIAL (-2) for a special-purpose address (addr.h: unspecified,
 * loopback, multicast, broadcast, link-local, IPv4-mapped), which never
 * goes into a set whatever the directory says. */
int enforce_add(struct enforce_set *s, const char *text);
void enforce_free(struct enforce_set *s);
/* The nftables batch that makes family/table's sets hold exactly s
 * (family "inet", "bridge", "ip", "ip6" or "netdev").  malloc'ed; NULL on
 * a bad family or table name. */
char *enforce_batch(const struct enforce_set *s, const char *family,
    const char *table);
/* 1 if nftables knows family (inet, bridge, ip, ip6, netdev). */
int enforce_family_ok(const char *family);
/* The batch of --install-rules for family (inet or bridge): the table,
 * the two sets (kept as they are if they exist), and chains input,
 * forward and output that drop traffic from and to @blocked4/@blocked6
 * (DHCP excepted, so a blocked VM keeps its lease), replaced whole.
 * malloc'ed; NULL on another family or a bad table name. */
char *enforce_rules(const char *family, const char *table);
/* Run a batch through libnftables.  0 / -1 with nftables' message. */
int enforce_apply(const char *batch, char *err, size_t errlen);

#endif
