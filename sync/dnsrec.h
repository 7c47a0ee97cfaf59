/*
 * dnsrec.h - the MS-DNSP dnsRecord attribute value (MS-DNSP 2.3.2.2; Samba's
 * dnsp_DnssrvRpcRecord), encode and decode.
 *
 *   0 DataLength u16 LE | 2 Type u16 LE | 4 Version u8 (5) | 5 Rank u8 (F0)
 *   6 Flags u16 | 8 Serial u32 LE | 12 TtlSeconds u32 BIG-endian
 *  16 Reserved u32 | 20 TimeStamp u32 LE (hours since 1601, 0 static)
 *  24 Data: A 4 bytes, AAAA 16, PTR/NS/CNAME a DNS_COUNT_NAME, SRV three
 *     big-endian u16 then a DNS_COUNT_NAME, SOA five big-endian u32 then two
 *     DNS_COUNT_NAMEs, type 0 (tombstone) a little-endian NTTIME.
 * (Samba: librpc/idl/dnsp.idl dnsp_DnssrvRpcRecord, dnsp_soa, dnsp_srv,
 * librpc/ndr/ndr_dnsp.c dnsp_name.)
 * DNS_COUNT_NAME: Length u8 (octets after LabelCount, final 0 included),
 * LabelCount u8, length-prefixed labels, 0.  "vm1.example.test" is
 * 12 03 03 'vm1' 07 'example' 04 'test' 00.  The root name is "" in a
 * struct dnsrec and 01 00 00 on the wire (Length 1, no labels), as Samba
 * writes it for ""; the encoder also takes "." for the root (Samba would
 * write 02 01 00 00, one empty label, which this decoder refuses).
 *
 * The decoder is strict: at least the 24-octet header; Version 5; Reserved 0;
 * DataLength equal to the octets after the header; per type exactly the data
 * size (A 4, AAAA 16, tombstone 8, names and SRV/SOA as their names say);
 * names as in dnsrec_name_decode; nothing left over.  So whatever it
 * accepts, dnsrec_encode writes back byte for byte.  Rank and Flags are kept
 * as found.
 */
#ifndef VMG_DNSREC_H
#define VMG_DNSREC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "name.h"

/* Record types (host order values). */
enum dnsrec_type {
	DNSREC_TYPE_ZERO = 0,		/* tombstone */
	DNSREC_TYPE_A = 1,
	DNSREC_TYPE_NS = 2,
	DNSREC_TYPE_CNAME = 5,
	DNSREC_TYPE_SOA = 6,
	DNSREC_TYPE_PTR = 12,
	DNSREC_TYPE_TXT = 16,
	DNSREC_TYPE_AAAA = 28,
	DNSREC_TYPE_SRV = 33
};

#define DNSREC_HEADER_LEN 24
#define DNSREC_VERSION 5
#define DNSREC_RANK_ZONE 0xF0
#define DNSREC_BUF 600	/* room for any record this codec encodes */

struct dnsrec_soa {
	uint32_t serial, refresh, retry, expire, minimum;
	char mname[NAME_FQDN_BUF];
	char rname[NAME_FQDN_BUF];
};

/* One record; numbers in host order (the codec does the byte order).  For
 * types it does not interpret (TXT and others) decode leaves the data in
 * raw/rawlen, pointing into the decoded buffer; encode writes them back. */
struct dnsrec {
	uint16_t type;
	uint8_t version;
	uint8_t rank;
	uint16_t flags;
	uint32_t serial;
	uint32_t ttl;
	uint32_t timestamp;
	union {
		uint8_t a[4];
		uint8_t aaaa[16];
		char name[NAME_FQDN_BUF];	/* NS, CNAME, PTR; no final dot */
		struct {
			uint16_t priority, weight, port;
			char target[NAME_FQDN_BUF];
		} srv;
		uint64_t tombstone;		/* NTTIME */
		struct dnsrec_soa soa;
	} u;
	const uint8_t *raw;
	uint16_t rawlen;
};

/* Version 5, rank zone (0xF0), flags 0, the rest as given, data zeroed. */
void dnsrec_init(struct dnsrec *r, uint16_t type, uint32_t serial,
    uint32_t ttl, uint32_t timestamp);
/* 0, or -1 if buf is too small, the version is not 5, a name is not a
 * valid DNS name (as dnsrec_name_encode), or an uninterpreted type has
 * rawlen without raw. */
int dnsrec_encode(const struct dnsrec *r, uint8_t *buf, size_t buflen,
    size_t *outlen);
/* 0, or -1 if the value is not exactly one well-formed record. */
int dnsrec_decode(const uint8_t *buf, size_t len, struct dnsrec *r);
/* DNS_COUNT_NAME of dotted ("" or "." for the root; no final dot
 * otherwise): labels of 1-63 printable ASCII octets other than space and
 * '.', at most 253 octets in all.  0, or -1 (bad name, buf too small). */
int dnsrec_name_encode(const char *dotted, uint8_t *buf, size_t buflen,
    size_t *outlen);
/* Read one DNS_COUNT_NAME at the start of buf (len octets available) into
 * out (dotted, no final dot, "" for the root; at most 253 octets, so
 * NAME_FQDN_BUF is always enough); *consumed = 2 + Length.  Strict: Length
 * must end exactly at the final 0, LabelCount must equal the labels found,
 * labels 1-63 octets of the same set as the encoder takes.  0, or -1 (also
 * when out is too small).  Octets after the name are left to the caller. */
int dnsrec_name_decode(const uint8_t *buf, size_t len, char *out,
    size_t outlen, size_t *consumed);
/* unix/3600 + 3234576: hours since 1601-01-01 UTC. */
uint32_t dnsrec_timestamp_hours(time_t unix_time);
/* 100 ns units since 1601-01-01 UTC. */
uint64_t dnsrec_nttime(time_t unix_time);
/* Display form: "A 10.1.2.4", "AAAA 2001:db8::1", "PTR vm1.example.test"
 * (also NS, CNAME), "SRV 0 0 0 t.example.test", "TOMBSTONE <nttime>",
 * "SOA <mname> <rname> <serial> <refresh> <retry> <expire> <minimum>",
 * "TXT \"s1\" \"s2\"" (as dig: '"' and '\\' escaped, other octets outside
 * printable ASCII as \DDD), "TYPE<n> <hex of the data>" (also a TXT whose
 * data are no character-strings); the root name shows as ".".  0, or -1 on
 * truncation.  Decoded names hold printable ASCII only. */
int dnsrec_format(const struct dnsrec *r, char *out, size_t outlen);
/* The serial of an SOA value from its fixed part only (type 6, the five
 * numbers present), for values whose names this strict decoder refuses but
 * a DNS server still serves.  0, or -1 if it is no SOA value. */
int dnsrec_peek_soa_serial(const uint8_t *buf, size_t len, uint32_t *serial);
/* The Serial field (offset 8, little-endian) of an encoded value; 0 when
 * the value is shorter than a header. */
uint32_t dnsrec_serial_of(const uint8_t *v, size_t len);
/* What no comparison below looks at: the Serial field (a record is not
 * rewritten because the zone's serial moved since it was written) and, in
 * a vmgroup owner TXT value (ownrec.h: a first character-string starting
 * with DNSREC_OWNER_TAG, a second and last one starting with "t="), that
 * last string (the time the node was first written for its host stays as
 * it was).  Two values of one length are the same but serial iff their
 * octets v[0..*head) and v[*tail..*end) are; *head = *tail = *end = len
 * for a value shorter than a header (compared whole). */
#define DNSREC_OWNER_TAG "vmgroup="
void dnsrec_but_serial(const uint8_t *v, size_t len, size_t *head,
    size_t *tail, size_t *end);
int dnsrec_same_but_serial(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);
/* A 64-bit hash of v (in-process only, never stored) of the octets
 * dnsrec_but_serial compares. */
uint64_t dnsrec_hash_but_serial(uint64_t h, const uint8_t *v, size_t len);
/* Order of encoded values: bytes, then length (memcmp order). */
int dnsrec_cmp_bytes(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);

#endif
