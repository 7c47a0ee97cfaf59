/*
 * caplease.h - vmgroup-capture's decisions (pure but for log lines): a
 * decoded DHCP/ARP/NA message -> the spool events it calls for, kept in
 * the lease table (capstate.h).
 *
 *   ACK / v6 Reply   its addresses merged into the MAC's entry; the event
 *                    carries the union the VM still holds (v4 and v6: a
 *                    register replaces the whole set).  A new VM, a new
 *                    or changed set, a new name or image -> register; the
 *                    same, renewed -> refresh (the new lease end); the
 *                    same again -> nothing.  A new name for a MAC releases
 *                    the old one first.
 *   RELEASE, DECLINE, v6 Release/Decline
 *                    those addresses dropped: none left -> release, else
 *                    register of what remains.
 *   DISCOVER/REQUEST, Solicit/Request/Renew/Rebind
 *                    the name the client sent, remembered for an ACK that
 *                    echoes none (Kea and others).
 *   ARP / NA (-a)    only MACs of the map file with a NAME: a new address
 *                    -> register (no lease).
 *
 * The name: the client's (name_vm_check), else the map's NAME for the MAC,
 * else the name it registered before; a name that is no VM label is
 * refused (a warning, no event) unless the map names the MAC.
 */
#ifndef VMG_CAPLEASE_H
#define VMG_CAPLEASE_H

#include <stddef.h>
#include <stdint.h>

#include "capdhcp.h"
#include "capmap.h"
#include "capstate.h"
#include "event.h"

#define CAPLEASE_MAX_OUT 2		/* a release of the old name, a register */

struct caplease {
	struct capstate st;
	const struct capmap *map;
	char host[NAME_LABEL_BUF];
	int arp;			/* learn static VMs from ARP and NA */
	struct capdhcp_msg msg;		/* the last packet's, decoded */
};

struct caplease_out {
	size_t n;
	struct event ev[CAPLEASE_MAX_OUT];
	struct event_addr gone[EVENT_MAX_ADDRS];	/* a release's addresses */
	size_t ngone;
	const char *what;		/* capdhcp_what of the packet */
};

/* host: a checked label; map: kept (not copied), may change between calls. */
void caplease_init(struct caplease *cl, const char *host,
    const struct capmap *map, int arp);
void caplease_free(struct caplease *cl);
/* Decode a frame and apply it at time t (unix seconds): the events into
 * out; returns out->n.  cl->st.dirty says whether the table changed. */
size_t caplease_packet(struct caplease *cl, const uint8_t *frame,
    size_t caplen, int64_t t, struct caplease_out *out);
size_t caplease_apply(struct caplease *cl, const struct capdhcp_msg *m,
    int64_t t, struct caplease_out *out);

#endif
