/*
 * capcap.h - vmgroup-capture's I/O: the live capture (libpcap: open,
 * filter, read) and what a packet leads to (caplease's events into the
 * spool through queue_event, the "queued ..." log line, the lease table
 * saved after each change).
 */
#ifndef VMG_CAPCAP_H
#define VMG_CAPCAP_H

#include <limits.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "caplease.h"
#include "capmap.h"

#define CAPCAP_SNAPLEN 1600		/* a DHCP message and its headers */

struct capctx {
	struct caplease lease;
	struct capmap map;
	const char *spool, *mapfile, *iface;
	char statefile[PATH_MAX];
	struct caplease_out out;
};

struct caplive {			/* the live capture and its backoff */
	pcap_t *p;
	int64_t retry_at;		/* monotonic ms */
	int64_t backoff;		/* ms: 1 s doubling to 30 s */
};

/* The capture filter: DHCPv4/v6 (with arp: ARP and ICMPv6 too), tagged
 * or not, into buf.  0 / -1. */
int capcap_filter(int arp, char *buf, size_t len);
/* Open iface: snaplen, promiscuous, immediate mode, the filter,
 * non-blocking; refused if the interface is down or no Ethernet.  The
 * handle, or NULL with err. */
pcap_t *capcap_open(const char *iface, int arp, char *err, size_t errlen);
/* Read what is there (revents: what poll said of the capture's fd).  0,
 * or -1 (logged) on a capture error, the interface gone down included:
 * then close it and open it again. */
int capcap_dispatch(struct capctx *c, pcap_t *p, int revents);
/* One frame at time t: events queued and logged, the table saved. */
void capcap_packet(struct capctx *c, const uint8_t *data, size_t caplen,
    int64_t t);
/* The lease table into the state file, if it changed.  0 / -1 (logged). */
int capcap_save(struct capctx *c);

#endif
