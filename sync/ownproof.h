/*
 * ownproof.h - whether this host may write a node, from what the directory
 * says of it (doc/fleet.md).
 *
 * Two facts prove that a node is vmgroupd's: its owner in the directory is
 * the service account (struct dir_node owner: the security descriptor's
 * owner on AD, creatorsName on OpenLDAP), and it holds one owner value
 * (ownrec.h) naming the host that holds it and when that host first wrote
 * it.  The local ownership record (own.h) still counts for what this host
 * wrote before owner values existed, or where the directory cannot say
 * who owns a node.
 *
 *   node in the directory                      verdict
 *   absent                                     OURS (create it)
 *   tombstoned, owned or the account's         OURS (a tombstone is free)
 *   owner value naming this host,
 *     owned or the account's                   OURS
 *   owner value naming another host H,
 *     owned or the account's:
 *       our registration newer than H's time   TAKE (one constrained modify)
 *       else                                   HELD (by H: left alone)
 *   no owner value, owned                      OURS (written before them)
 *   anything else                              FOREIGN (never touched)
 */
#ifndef VMG_OWNPROOF_H
#define VMG_OWNPROOF_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"
#include "ownrec.h"

enum ownproof {
	OWNPROOF_OURS,
	OWNPROOF_TAKE,		/* another host's, taken over: newer here */
	OWNPROOF_HELD,		/* another host's, and not older */
	OWNPROOF_FOREIGN
};

/* The one owner value among vals: 1 (in *o), 0 none, -1 several. */
int ownproof_value(const struct dir_value *vals, size_t n, struct ownrec *o);
/* The verdict on node n (read from the directory) for host, which wants
 * it holding records of registrations as new as t (the wanted owner
 * value's time; -1: it wants the node gone), owned: in the ownership
 * record.  held gets the node's owner value (host "" if none). */
enum ownproof ownproof_judge(const struct dir_node *n, int owned,
    const char *host, int64_t t, struct ownrec *held);
/* At a zone scan, what the directory says of a node this host may or may
 * not have in its record: 1 it is this host's (take it into the record:
 * a host rebuilt from scratch), 2 it is if its owner (not read: unknown)
 * is the service account (read it, then take it), -1 another host holds
 * it now (drop it from the record), 0 nothing to change. */
int ownproof_scan(const struct dir_node *n, int owned, const char *host);

#endif
