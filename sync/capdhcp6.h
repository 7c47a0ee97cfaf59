/*
 * capdhcp6.h - the DHCPv6 and ICMPv6 side of capdhcp (pure): a UDP payload
 * of port 546/547, or an ICMPv6 neighbour advertisement, into a
 * capdhcp_msg.  Bounded like capdhcp.c: every option length is checked.
 */
#ifndef VMG_CAPDHCP6_H
#define VMG_CAPDHCP6_H

#include <stddef.h>
#include <stdint.h>

#include "capdhcp.h"

/* eth: the frame's Ethernet header (destination, source); p/len: the UDP
 * payload.  0 / -1 as capdhcp_decode. */
int capdhcp6_decode(const uint8_t *eth, const uint8_t *p, size_t len,
    struct capdhcp_msg *m);
/* An ICMPv6 message (p/len, hop limit of its IPv6 header): a neighbour
 * advertisement's target, the MAC from the Ethernet source.  0 / -1. */
int capdhcp6_icmp(const uint8_t *eth, const uint8_t *p, size_t len,
    unsigned hoplimit, struct capdhcp_msg *m);

#endif
