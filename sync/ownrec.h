/*
 * ownrec.h - the owner value vmgroupd writes into every dnsNode it holds.
 *
 * A TXT record of two character-strings:
 *
 *   "vmgroup=1 host=<host>"   the host whose vmgroupd holds the node
 *   "t=<unix seconds>"        when that host first wrote it: the newest
 *                             registration time of the VMs it named then
 *                             (0 for a host's own group and SRV nodes)
 *
 * written in the same add or modify as the node's other records, so the
 * directory itself says which host holds a node (doc/fleet.md): a host
 * rebuilt from scratch finds its nodes again, hosts sharing one service
 * account tell theirs apart, and a VM that moved is taken over by the host
 * that registered it later.  It names nothing and no address.  The "t="
 * string is left out of every comparison (dnsrec_but_serial), so a node
 * keeps the time it was first written for its host.  An owner value is
 * proof only together with the node's owner in the directory (its
 * security descriptor's owner or creatorsName: the service account):
 * anyone allowed to write a node can write any TXT into it.
 */
#ifndef VMG_OWNREC_H
#define VMG_OWNREC_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrec.h"
#include "name.h"

#define OWNREC_RAW_BUF (2 + 16 + NAME_LABEL_BUF + 24)

struct ownrec {
	char host[NAME_LABEL_BUF];
	int64_t t;
};

/* rec (dnsrec_init'ed as a TXT record) made the owner value of host
 * (a valid label) at time t (>= 0), its data in raw.  0, or -1 (a host
 * name too long or not a label, t < 0). */
int ownrec_encode(struct dnsrec *rec, const char *host, int64_t t,
    uint8_t raw[OWNREC_RAW_BUF]);
/* 1 if val is an owner value of the exact shape above (host a valid
 * label, t decimal digits without a sign or leading zero, < 2^53), its
 * fields in *o; else 0 (no owner value, or a malformed one). */
int ownrec_parse(const uint8_t *val, size_t len, struct ownrec *o);

#endif
