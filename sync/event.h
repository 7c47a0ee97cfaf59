/*
 * event.h - one VM registration event, as a hook writes it into the spool
 * (JSON, format version 1, see doc/spool.md), parsed and validated.
 *
 * event_parse() is the one place where untrusted registrations are checked:
 * strict JSON (json-c), bounded size and depth, no unknown or duplicated
 * fields, names as DNS labels (case-folded), addresses through inet_pton
 * and none of the special-purpose ones (addr.h: loopback, multicast ...).
 * Everything downstream works on the validated struct.
 */
#ifndef VMG_EVENT_H
#define VMG_EVENT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "name.h"

#define EVENT_VERSION 1
#define EVENT_MAX_BYTES 4096		/* larger spool files are refused */
#define EVENT_MAX_ADDRS 16
#define EVENT_MAX_DEPTH 3		/* object > array > string */
#define EVENT_MAX_LEASE (10LL * 366 * 86400)
#define EVENT_MAX_TIME 253402300799LL	/* 9999-12-31T23:59:59Z */

enum event_op { EVENT_OP_REGISTER, EVENT_OP_RELEASE, EVENT_OP_REFRESH };
enum event_source {
	EVENT_SRC_DHCP, EVENT_SRC_STATIC, EVENT_SRC_PCAP, EVENT_SRC_LIBVIRT
};

struct event_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

struct event {
	int version;
	enum event_op op;
	enum event_source source;
	char host[NAME_LABEL_BUF];
	char vm[NAME_LABEL_BUF];
	char image[NAME_LABEL_BUF];	/* "" when absent */
	int has_mac;
	uint8_t mac[6];
	struct event_addr addrs[EVENT_MAX_ADDRS];	/* sorted, distinct */
	size_t naddrs;
	int64_t time;			/* unix seconds */
	int64_t expires;		/* unix seconds; 0 = no expiry */
};

/* 0, or -1 with a precise reason in err (never raw input bytes). */
int event_parse(const char *buf, size_t len, struct event *ev, char *err,
    size_t errlen);
/* Canonical JSON (one line, "\n"-terminated, fields in the order of
 * doc/spool.md, "expires" absolute, "image"/"mac"/"expires" only when set).
 * -1 if buf is too small, or if ev could not have come from event_parse
 * (a name that is not a lower-case label, an op or source out of range). */
int event_to_json(const struct event *ev, char *buf, size_t buflen);
const char *event_op_name(enum event_op op);
const char *event_source_name(enum event_source s);
int event_addr_format(const struct event_addr *a, char *out, size_t outlen);
/* IPv4 before IPv6, then by bytes. */
int event_addr_cmp(const struct event_addr *a, const struct event_addr *b);
/* event_addr_cmp for qsort/bsearch over struct event_addr arrays. */
int event_addr_qcmp(const void *a, const void *b);
/* 1 if a and b hold the same event (field by field, padding ignored). */
int event_equal(const struct event *a, const struct event *b);

#endif
