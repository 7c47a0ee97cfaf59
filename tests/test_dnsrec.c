/*
 * test_dnsrec.c - the MS-DNSP dnsRecord codec against the checked byte
 * vectors of formats.md, round trips, and a strict decoder.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dnsrec.h"
#include "ownrec.h"
#include "xmem.h"

/* A 10.1.2.4, TTL 300, serial 1, static (formats.md; served by Samba). */
static const uint8_t vec_a[] = {
	0x04, 0x00, 0x01, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0a, 0x01, 0x02, 0x04 };
/* SRV 10 20 8080 vm1.example.test, same header fields. */
static const uint8_t vec_srv[] = {
	0x1a, 0x00, 0x21, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0a, 0x00, 0x14, 0x1f, 0x90, 0x12, 0x03, 0x03, 0x76, 0x6d, 0x31,
	0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73,
	0x74, 0x00 };
static const uint8_t vec_name[] = {
	0x12, 0x03, 0x03, 'v', 'm', '1', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	0x04, 't', 'e', 's', 't', 0x00 };

/* Made by Samba's own NDR (python3-samba: ndr_pack(dnsp.DnssrvRpcRecord)),
 * TTL 300 serial 1 rank zone unless said. */
/* SOA serial 2025112501 refresh 900 retry 600 expire 86400 minimum 3600,
 * dc1.example.test hostmaster.example.test; record serial 2025112501,
 * TTL 3600. */
static const uint8_t vec_soa[] = {
	0x43, 0x00, 0x06, 0x00, 0x05, 0xf0, 0x00, 0x00, 0xb5, 0xc3, 0xb4, 0x78,
	0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x78, 0xb4, 0xc3, 0xb5, 0x00, 0x00, 0x03, 0x84, 0x00, 0x00, 0x02, 0x58,
	0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x0e, 0x10, 0x12, 0x03, 0x03, 0x64,
	0x63, 0x31, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74,
	0x65, 0x73, 0x74, 0x00, 0x19, 0x03, 0x0a, 0x68, 0x6f, 0x73, 0x74, 0x6d,
	0x61, 0x73, 0x74, 0x65, 0x72, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
	0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00 };
/* AAAA 2001:db8::11, time stamp 3234576 + 483000 hours. */
static const uint8_t vec_aaaa[] = {
	0x10, 0x00, 0x1c, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00, 0xc8, 0xb9, 0x38, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x11 };
/* PTR web1.example.test */
static const uint8_t vec_ptr[] = {
	0x15, 0x00, 0x0c, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x13, 0x03, 0x04, 0x77, 0x65, 0x62, 0x31, 0x07, 0x65, 0x78, 0x61, 0x6d,
	0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00 };
/* NS with the root name "" */
static const uint8_t vec_ns_root[] = {
	0x03, 0x00, 0x02, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00 };
/* tombstone, NTTIME 133000000000000000 */
static const uint8_t vec_tomb[] = {
	0x08, 0x00, 0x00, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x80, 0x20, 0x9b, 0xcb, 0x82, 0xd8, 0x01 };

static void
roundtrip(const uint8_t *want, size_t wantlen, struct dnsrec *out)
{
	uint8_t buf[DNSREC_BUF];
	size_t len;

	assert_int_equal(dnsrec_decode(want, wantlen, out), 0);
	assert_int_equal(dnsrec_encode(out, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(buf, want, wantlen);
}

static void
test_vector_a(void **state)
{
	struct dnsrec r;
	uint8_t buf[DNSREC_BUF];
	size_t len;

	(void)state;
	dnsrec_init(&r, DNSREC_TYPE_A, 1, 300, 0);
	memcpy(r.u.a, "\x0a\x01\x02\x04", 4);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(vec_a));
	assert_memory_equal(buf, vec_a, sizeof(vec_a));
	roundtrip(vec_a, sizeof(vec_a), &r);
	assert_int_equal(r.type, DNSREC_TYPE_A);
	assert_int_equal(r.ttl, 300);
	assert_int_equal(r.serial, 1);
	assert_int_equal(r.rank, 0xf0);
	assert_int_equal(r.version, 5);
	assert_memory_equal(r.u.a, "\x0a\x01\x02\x04", 4);
}

static void
test_vector_srv(void **state)
{
	struct dnsrec r;
	uint8_t buf[DNSREC_BUF];
	size_t len;
	char text[128];

	(void)state;
	dnsrec_init(&r, DNSREC_TYPE_SRV, 1, 300, 0);
	r.u.srv.priority = 10;
	r.u.srv.weight = 20;
	r.u.srv.port = 8080;
	assert_int_equal(xstrlcpy(r.u.srv.target, "vm1.example.test",
	    sizeof(r.u.srv.target)), 0);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(vec_srv));
	assert_memory_equal(buf, vec_srv, sizeof(vec_srv));
	roundtrip(vec_srv, sizeof(vec_srv), &r);
	assert_int_equal(dnsrec_format(&r, text, sizeof(text)), 0);
	assert_string_equal(text, "SRV 10 20 8080 vm1.example.test");
}

static void
test_count_name(void **state)
{
	uint8_t buf[300];
	char out[NAME_FQDN_BUF];
	size_t len, used;

	(void)state;
	assert_int_equal(dnsrec_name_encode("vm1.example.test", buf,
	    sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(vec_name));
	assert_memory_equal(buf, vec_name, sizeof(vec_name));
	assert_int_equal(dnsrec_name_decode(vec_name, sizeof(vec_name), out,
	    sizeof(out), &used), 0);
	assert_int_equal(used, sizeof(vec_name));
	assert_string_equal(out, "vm1.example.test");
	/* the root: Length 1, no labels, the final 0 */
	assert_int_equal(dnsrec_name_encode("", buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "\x01\x00\x00", 3);
	/* bad names */
	assert_int_equal(dnsrec_name_encode("a..b", buf, sizeof(buf), &len), -1);
	assert_int_equal(dnsrec_name_encode("a b", buf, sizeof(buf), &len), -1);
	assert_int_equal(dnsrec_name_encode(
	    "a234567890123456789012345678901234567890123456789012345678901234",
	    buf, sizeof(buf), &len), -1);
	assert_int_equal(dnsrec_name_encode("vm1.example.test", buf, 10, &len),
	    -1);
}

static void
test_roundtrips(void **state)
{
	struct dnsrec r, back;
	uint8_t buf[DNSREC_BUF];
	size_t len;
	char text[700];

	(void)state;
	dnsrec_init(&r, DNSREC_TYPE_AAAA, 7, 3600, dnsrec_timestamp_hours(0));
	memcpy(r.u.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x11", 16);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 24 + 16);
	/* TTL big-endian, serial and time stamp little-endian */
	assert_memory_equal(buf + 8, "\x07\0\0\0\0\0\x0e\x10", 8);
	assert_memory_equal(buf + 20, "\x10\x5b\x31\x00", 4);
	roundtrip(buf, len, &back);
	assert_int_equal(dnsrec_format(&back, text, sizeof(text)), 0);
	assert_string_equal(text, "AAAA 2001:db8::11");

	dnsrec_init(&r, DNSREC_TYPE_PTR, 1, 300, 0);
	assert_int_equal(xstrlcpy(r.u.name, "web1.example.test",
	    sizeof(r.u.name)), 0);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	roundtrip(buf, len, &back);
	assert_string_equal(back.u.name, "web1.example.test");

	dnsrec_init(&r, DNSREC_TYPE_ZERO, 1, 0, 0);
	r.u.tombstone = dnsrec_nttime(1764000000);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 32);
	roundtrip(buf, len, &back);
	assert_true(back.u.tombstone == 116444736000000000ULL +
	    1764000000ULL * 10000000ULL);

	dnsrec_init(&r, DNSREC_TYPE_SOA, 7, 3600, 0);
	r.u.soa.serial = 7;
	r.u.soa.refresh = 900;
	r.u.soa.retry = 600;
	r.u.soa.expire = 86400;
	r.u.soa.minimum = 3600;
	assert_int_equal(xstrlcpy(r.u.soa.mname, "dc1.example.test",
	    sizeof(r.u.soa.mname)), 0);
	assert_int_equal(xstrlcpy(r.u.soa.rname, "hostmaster.example.test",
	    sizeof(r.u.soa.rname)), 0);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	/* SOA numbers are big-endian */
	assert_memory_equal(buf + 24, "\0\0\0\x07\0\0\x03\x84", 8);
	roundtrip(buf, len, &back);
	assert_int_equal(back.u.soa.serial, 7);
	assert_int_equal(back.u.soa.minimum, 3600);
	assert_string_equal(back.u.soa.rname, "hostmaster.example.test");
}

static void
test_unknown_type(void **state)
{
	/* TXT "hi": kept raw, written back unchanged */
	static const uint8_t txt[] = {
		0x03, 0x00, 0x10, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x02, 'h', 'i' };
	struct dnsrec r;
	char text[64];

	(void)state;
	roundtrip(txt, sizeof(txt), &r);
	assert_int_equal(r.rawlen, 3);
	assert_int_equal(dnsrec_format(&r, text, sizeof(text)), 0);
	assert_string_equal(text, "TXT \"hi\"");
}

/* TXT shown as dig shows it; data that are no character-strings raw */
static void
test_format_txt(void **state)
{
	static const uint8_t two[] = { 3, 'a', '"', 0x01, 0, 2, '\\', 0xe9 };
	static const uint8_t torn[] = { 5, 'a' };
	struct dnsrec r;
	char text[64];

	(void)state;
	dnsrec_init(&r, DNSREC_TYPE_TXT, 1, 300, 0);
	r.raw = two;
	r.rawlen = sizeof(two);
	assert_int_equal(dnsrec_format(&r, text, sizeof(text)), 0);
	assert_string_equal(text, "TXT \"a\\\"\\001\" \"\" \"\\\\\\233\"");
	assert_int_equal(dnsrec_format(&r, text, 20), -1);
	r.raw = torn;
	r.rawlen = sizeof(torn);
	assert_int_equal(dnsrec_format(&r, text, sizeof(text)), 0);
	assert_string_equal(text, "TYPE16 0561");
}

static void
test_rejects(void **state)
{
	uint8_t b[64];
	struct dnsrec r;

	(void)state;
	/* too short for a header */
	assert_int_equal(dnsrec_decode(vec_a, 20, &r), -1);
	/* truncated data: DataLength says 4 */
	assert_int_equal(dnsrec_decode(vec_a, sizeof(vec_a) - 1, &r), -1);
	/* trailing garbage */
	memcpy(b, vec_a, sizeof(vec_a));
	b[sizeof(vec_a)] = 0;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_a) + 1, &r), -1);
	/* A with 5 data bytes */
	b[0] = 5;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_a) + 1, &r), -1);
	/* reserved must be 0 */
	memcpy(b, vec_a, sizeof(vec_a));
	b[16] = 1;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_a), &r), -1);
	/* SRV name: LabelCount disagrees */
	memcpy(b, vec_srv, sizeof(vec_srv));
	b[31] = 2;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_srv), &r), -1);
	/* SRV name: Length disagrees */
	memcpy(b, vec_srv, sizeof(vec_srv));
	b[30] = 0x11;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_srv), &r), -1);
	/* SRV name: a label runs past the end */
	memcpy(b, vec_srv, sizeof(vec_srv));
	b[44] = 9;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_srv), &r), -1);
	/* SRV name: no final 0 */
	memcpy(b, vec_srv, sizeof(vec_srv));
	b[sizeof(vec_srv) - 1] = 'x';
	assert_int_equal(dnsrec_decode(b, sizeof(vec_srv), &r), -1);
	/* a tombstone of 7 bytes */
	memcpy(b, vec_a, 24);
	b[0] = 7;
	b[2] = 0;
	assert_int_equal(dnsrec_decode(b, 31, &r), -1);
}

static void
test_times(void **state)
{
	(void)state;
	assert_int_equal(dnsrec_timestamp_hours(0), 3234576);
	assert_int_equal(dnsrec_timestamp_hours(3600 * 10 + 5), 3234586);
	assert_true(dnsrec_nttime(0) == 116444736000000000ULL);
}

static void
test_order(void **state)
{
	(void)state;
	assert_true(dnsrec_cmp_bytes((const uint8_t *)"ab", 2,
	    (const uint8_t *)"ab", 2) == 0);
	assert_true(dnsrec_cmp_bytes((const uint8_t *)"ab", 2,
	    (const uint8_t *)"abc", 3) < 0);
	assert_true(dnsrec_cmp_bytes((const uint8_t *)"b", 1,
	    (const uint8_t *)"abc", 3) > 0);
}

/* Encode r and compare with want; then decode want and encode it again. */
static void
encodes_to(const struct dnsrec *r, const uint8_t *want, size_t wantlen)
{
	uint8_t buf[DNSREC_BUF];
	size_t len;
	struct dnsrec back;

	assert_int_equal(dnsrec_encode(r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(buf, want, wantlen);
	/* one octet short of room: refused, never truncated */
	assert_int_equal(dnsrec_encode(r, buf, wantlen - 1, &len), -1);
	assert_int_equal(dnsrec_encode(r, buf, wantlen, &len), 0);
	roundtrip(want, wantlen, &back);
}

static void
formats_as(const uint8_t *v, size_t len, const char *want)
{
	struct dnsrec r;
	char text[700];

	assert_int_equal(dnsrec_decode(v, len, &r), 0);
	assert_int_equal(dnsrec_format(&r, text, sizeof(text)), 0);
	assert_string_equal(text, want);
	/* truncation is reported */
	assert_int_equal(dnsrec_format(&r, text, strlen(want)), -1);
}

static void
test_samba_vectors(void **state)
{
	struct dnsrec r;

	(void)state;
	dnsrec_init(&r, DNSREC_TYPE_SOA, 2025112501, 3600, 0);
	r.u.soa.serial = 2025112501;
	r.u.soa.refresh = 900;
	r.u.soa.retry = 600;
	r.u.soa.expire = 86400;
	r.u.soa.minimum = 3600;
	assert_int_equal(xstrlcpy(r.u.soa.mname, "dc1.example.test",
	    sizeof(r.u.soa.mname)), 0);
	assert_int_equal(xstrlcpy(r.u.soa.rname, "hostmaster.example.test",
	    sizeof(r.u.soa.rname)), 0);
	encodes_to(&r, vec_soa, sizeof(vec_soa));
	formats_as(vec_soa, sizeof(vec_soa), "SOA dc1.example.test "
	    "hostmaster.example.test 2025112501 900 600 86400 3600");

	dnsrec_init(&r, DNSREC_TYPE_AAAA, 1, 300, 3234576 + 483000);
	memcpy(r.u.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x11", 16);
	encodes_to(&r, vec_aaaa, sizeof(vec_aaaa));
	formats_as(vec_aaaa, sizeof(vec_aaaa), "AAAA 2001:db8::11");

	dnsrec_init(&r, DNSREC_TYPE_PTR, 1, 300, 0);
	assert_int_equal(xstrlcpy(r.u.name, "web1.example.test",
	    sizeof(r.u.name)), 0);
	encodes_to(&r, vec_ptr, sizeof(vec_ptr));
	formats_as(vec_ptr, sizeof(vec_ptr), "PTR web1.example.test");

	/* the root: "" and "." both give Samba's 01 00 00 */
	dnsrec_init(&r, DNSREC_TYPE_NS, 1, 300, 0);
	encodes_to(&r, vec_ns_root, sizeof(vec_ns_root));
	r.u.name[0] = '.';
	encodes_to(&r, vec_ns_root, sizeof(vec_ns_root));
	formats_as(vec_ns_root, sizeof(vec_ns_root), "NS .");

	dnsrec_init(&r, DNSREC_TYPE_ZERO, 1, 300, 0);
	r.u.tombstone = 133000000000000000ULL;
	encodes_to(&r, vec_tomb, sizeof(vec_tomb));
	formats_as(vec_tomb, sizeof(vec_tomb),
	    "TOMBSTONE 133000000000000000");

	formats_as(vec_a, sizeof(vec_a), "A 10.1.2.4");
}

/* A value of type with data d (dlen octets) behind vec_a's header. */
static size_t
mkrec(uint8_t *out, uint16_t type, const void *d, size_t dlen)
{
	memcpy(out, vec_a, DNSREC_HEADER_LEN);
	out[0] = (uint8_t)dlen;
	out[1] = (uint8_t)(dlen >> 8);
	out[2] = (uint8_t)type;
	out[3] = (uint8_t)(type >> 8);
	memcpy(out + DNSREC_HEADER_LEN, d, dlen);
	return DNSREC_HEADER_LEN + dlen;
}

static int
decodes(uint16_t type, const void *d, size_t dlen)
{
	uint8_t b[DNSREC_HEADER_LEN + 600];
	struct dnsrec r;

	assert_true(dlen <= 600);
	return dnsrec_decode(b, mkrec(b, type, d, dlen), &r);
}

static void
test_reject_sizes(void **state)
{
	uint8_t b[DNSREC_BUF], d[64];
	struct dnsrec r;
	size_t n;

	(void)state;
	memset(d, 0, sizeof(d));
	assert_int_equal(dnsrec_decode(vec_a, 0, &r), -1);
	assert_int_equal(dnsrec_decode(vec_a, 23, &r), -1);
	/* DataLength too big, too small */
	memcpy(b, vec_a, sizeof(vec_a));
	b[0] = 5;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_a), &r), -1);
	b[0] = 3;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_a), &r), -1);
	b[0] = 4;
	b[1] = 1;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_a), &r), -1);
	/* version other than 5: refused both ways */
	memcpy(b, vec_a, sizeof(vec_a));
	b[4] = 4;
	assert_int_equal(dnsrec_decode(b, sizeof(vec_a), &r), -1);
	dnsrec_init(&r, DNSREC_TYPE_A, 1, 300, 0);
	r.version = 4;
	assert_int_equal(dnsrec_encode(&r, b, sizeof(b), &n), -1);
	/* rank and flags are kept as found */
	memcpy(b, vec_a, sizeof(vec_a));
	b[5] = 0x20;
	b[6] = 0x34;
	roundtrip(b, sizeof(vec_a), &r);
	assert_int_equal(r.rank, 0x20);
	assert_int_equal(r.flags, 0x34);
	/* exact data sizes per type */
	assert_int_equal(decodes(DNSREC_TYPE_A, d, 4), 0);
	assert_int_equal(decodes(DNSREC_TYPE_A, d, 3), -1);
	assert_int_equal(decodes(DNSREC_TYPE_A, d, 0), -1);
	assert_int_equal(decodes(DNSREC_TYPE_AAAA, d, 16), 0);
	assert_int_equal(decodes(DNSREC_TYPE_AAAA, d, 15), -1);
	assert_int_equal(decodes(DNSREC_TYPE_AAAA, d, 17), -1);
	assert_int_equal(decodes(DNSREC_TYPE_AAAA, d, 4), -1);
	assert_int_equal(decodes(DNSREC_TYPE_ZERO, d, 8), 0);
	assert_int_equal(decodes(DNSREC_TYPE_ZERO, d, 9), -1);
	assert_int_equal(decodes(DNSREC_TYPE_ZERO, d, 0), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, d, 0), -1);
	assert_int_equal(decodes(DNSREC_TYPE_CNAME, d, 1), -1);
	/* SRV: numbers only, or a name with one octet more */
	assert_int_equal(decodes(DNSREC_TYPE_SRV, vec_srv + 24, 6), -1);
	assert_int_equal(decodes(DNSREC_TYPE_SRV, vec_srv + 24, 25), -1);
	memcpy(d, vec_srv + 24, 26);
	d[26] = 0;
	assert_int_equal(decodes(DNSREC_TYPE_SRV, d, 26), 0);
	assert_int_equal(decodes(DNSREC_TYPE_SRV, d, 27), -1);
	/* SOA: no rname, or an octet after it */
	assert_int_equal(decodes(DNSREC_TYPE_SOA, vec_soa + 24, 40), -1);
	assert_int_equal(decodes(DNSREC_TYPE_SOA, vec_soa + 24,
	    sizeof(vec_soa) - 25), -1);
	assert_int_equal(decodes(DNSREC_TYPE_SOA, vec_soa + 24, 20), -1);
	/* TXT and other types: any data, kept raw, even none */
	assert_int_equal(decodes(DNSREC_TYPE_TXT, d, 0), 0);
	assert_int_equal(decodes(99, d, 7), 0);
}

/* PTR records whose DNS_COUNT_NAME is bad in one way. */
static void
test_reject_names(void **state)
{
	static const uint8_t pad[] = { 0x03, 0x01, 0x01, 'a', 0x00, 0x00 };
	static const uint8_t samba_dot[] = { 0x02, 0x01, 0x00, 0x00 };
	static const uint8_t root_count[] = { 0x01, 0x01, 0x00 };
	static const uint8_t zero_len[] = { 0x00, 0x00 };
	static const uint8_t zero_label[] = { 0x05, 0x02, 0x01, 'a', 0x00,
	    0x00, 0x00 };
	static const uint8_t dot_in[] = { 0x04, 0x01, 0x02, 'a', '.', 0x00 };
	static const uint8_t space_in[] = { 0x04, 0x01, 0x02, 'a', ' ', 0x00 };
	static const uint8_t high_in[] = { 0x04, 0x01, 0x02, 'a', 0xc3,
	    0x00 };
	static const uint8_t nul_in[] = { 0x04, 0x01, 0x02, 'a', 0x00, 0x00 };
	static const uint8_t overrun[] = { 0x09, 0x01, 0x02, 'a', 'b', 0x00 };
	static const uint8_t label_over[] = { 0x04, 0x01, 0x05, 'a', 'b',
	    0x00 };
	static const uint8_t count_more[] = { 0x03, 0x02, 0x01, 'a', 0x00 };
	static const uint8_t count_less[] = { 0x05, 0x01, 0x01, 'a', 0x01, 'b',
	    0x00 };
	static const uint8_t ok[] = { 0x05, 0x02, 0x01, 'a', 0x01, 'b', 0x00 };
	uint8_t d[300];
	size_t i, o;

	(void)state;
	assert_int_equal(decodes(DNSREC_TYPE_PTR, ok, sizeof(ok)), 0);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, pad, sizeof(pad)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, samba_dot,
	    sizeof(samba_dot)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, root_count,
	    sizeof(root_count)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, zero_len, sizeof(zero_len)),
	    -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, zero_label,
	    sizeof(zero_label)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, dot_in, sizeof(dot_in)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, space_in, sizeof(space_in)),
	    -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, high_in, sizeof(high_in)),
	    -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, nul_in, sizeof(nul_in)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, overrun, sizeof(overrun)),
	    -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, label_over,
	    sizeof(label_over)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, count_more,
	    sizeof(count_more)), -1);
	assert_int_equal(decodes(DNSREC_TYPE_PTR, count_less,
	    sizeof(count_less)), -1);
	/* a 63-octet label is fine, a 64-octet one is not */
	for (i = 63; i <= 64; i++) {
		d[0] = (uint8_t)(i + 2);
		d[1] = 1;
		d[2] = (uint8_t)i;
		memset(d + 3, 'x', i);
		d[3 + i] = 0;
		assert_int_equal(decodes(DNSREC_TYPE_PTR, d, i + 4),
		    i == 63 ? 0 : -1);
	}
	/* 253 octets dotted (Length 255) fine; one more octet would need
	 * Length 256, which wraps to 0 in the u8 and must not decode */
	for (i = 0; i <= 1; i++) {
		o = 2;
		d[1] = 4;
		d[o++] = 63;
		memset(d + o, 'a', 63);
		o += 63;
		d[o++] = 63;
		memset(d + o, 'b', 63);
		o += 63;
		d[o++] = 63;
		memset(d + o, 'c', 63);
		o += 63;
		d[o++] = (uint8_t)(61 + i);
		memset(d + o, 'd', 61 + i);
		o += 61 + i;
		d[o++] = 0;
		d[0] = (uint8_t)(o - 2);
		assert_int_equal(decodes(DNSREC_TYPE_PTR, d, o), i == 0 ? 0 : -1);
	}
}

static void
test_name_codec(void **state)
{
	uint8_t buf[300], in[40];
	char out[NAME_FQDN_BUF], small[8], big[300];
	size_t len, used;

	(void)state;
	/* a name followed by more data: consumed says where it ended */
	memcpy(in, vec_name, sizeof(vec_name));
	in[sizeof(vec_name)] = 0xee;
	assert_int_equal(dnsrec_name_decode(in, sizeof(vec_name) + 1, out,
	    sizeof(out), &used), 0);
	assert_int_equal(used, sizeof(vec_name));
	/* cut short anywhere: refused */
	for (len = 0; len < sizeof(vec_name); len++)
		assert_int_equal(dnsrec_name_decode(vec_name, len, out,
		    sizeof(out), &used), -1);
	/* out too small: refused, not truncated */
	assert_int_equal(dnsrec_name_decode(vec_name, sizeof(vec_name), small,
	    sizeof(small), &used), -1);
	assert_int_equal(dnsrec_name_decode((const uint8_t *)"\x01\x00\x00", 3,
	    small, 1, &used), 0);
	assert_string_equal(small, "");
	/* encoder limits: 253 octets, labels of 63, no empty labels */
	memset(big, 'a', sizeof(big));
	big[63] = big[127] = big[191] = '.';
	big[253] = '\0';
	assert_int_equal(dnsrec_name_encode(big, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 257);
	assert_int_equal(buf[0], 255);
	assert_int_equal(buf[1], 4);
	assert_int_equal(dnsrec_name_decode(buf, len, big, sizeof(big), &used),
	    0);
	assert_int_equal(strlen(big), 253);
	big[253] = 'a';
	big[254] = '\0';
	assert_int_equal(dnsrec_name_encode(big, buf, sizeof(buf), &len), -1);
	assert_int_equal(dnsrec_name_encode(".a", buf, sizeof(buf), &len), -1);
	assert_int_equal(dnsrec_name_encode("a.", buf, sizeof(buf), &len), -1);
	assert_int_equal(dnsrec_name_encode("..", buf, sizeof(buf), &len), -1);
	assert_int_equal(dnsrec_name_encode("a\x7f", buf, sizeof(buf), &len),
	    -1);
	assert_int_equal(dnsrec_name_encode("\xc3\xa9", buf, sizeof(buf),
	    &len), -1);
	/* names SRV targets need: '_' and upper case kept as they are */
	assert_int_equal(dnsrec_name_encode("_ldap._tcp.DC1", buf, sizeof(buf),
	    &len), 0);
	assert_int_equal(dnsrec_name_decode(buf, len, out, sizeof(out), &used),
	    0);
	assert_string_equal(out, "_ldap._tcp.DC1");
}

static void
test_encode_refusals(void **state)
{
	struct dnsrec r;
	uint8_t buf[DNSREC_BUF];
	size_t len;

	(void)state;
	dnsrec_init(&r, DNSREC_TYPE_TXT, 1, 300, 0);
	r.rawlen = 3;
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), -1);
	r.rawlen = 0;
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 24);
	dnsrec_init(&r, DNSREC_TYPE_PTR, 1, 300, 0);
	assert_int_equal(xstrlcpy(r.u.name, "a..b", sizeof(r.u.name)), 0);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), -1);
	dnsrec_init(&r, DNSREC_TYPE_SRV, 1, 300, 0);
	assert_int_equal(xstrlcpy(r.u.srv.target, "a b", sizeof(r.u.srv.target)),
	    0);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), -1);
	dnsrec_init(&r, DNSREC_TYPE_A, 1, 300, 0);
	assert_int_equal(dnsrec_encode(&r, buf, 23, &len), -1);
	assert_int_equal(dnsrec_encode(&r, buf, 27, &len), -1);
	/* the largest value this codec writes fits DNSREC_BUF */
	dnsrec_init(&r, DNSREC_TYPE_SOA, 1, 300, 0);
	memset(r.u.soa.mname, 'm', 253);
	memset(r.u.soa.rname, 'r', 253);
	r.u.soa.mname[63] = r.u.soa.mname[127] = r.u.soa.mname[191] = '.';
	r.u.soa.rname[63] = r.u.soa.rname[127] = r.u.soa.rname[191] = '.';
	r.u.soa.mname[253] = r.u.soa.rname[253] = '\0';
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 24 + 20 + 2 * 257);
	roundtrip(buf, len, &r);
}

/* The SOA serial is found even where the names are not to our taste. */
static void
test_peek_soa_serial(void **state)
{
	struct dnsrec r;
	uint8_t buf[DNSREC_BUF];
	size_t len;
	uint32_t serial = 0;

	(void)state;
	dnsrec_init(&r, DNSREC_TYPE_SOA, 9, 3600, 0);
	r.u.soa.serial = 0x01020304;
	assert_int_equal(xstrlcpy(r.u.soa.mname, "dc1.example.test",
	    sizeof(r.u.soa.mname)), 0);
	assert_int_equal(xstrlcpy(r.u.soa.rname, "hostmaster.example.test",
	    sizeof(r.u.soa.rname)), 0);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	assert_int_equal(dnsrec_peek_soa_serial(buf, len, &serial), 0);
	assert_int_equal(serial, 0x01020304);
	/* a padded name: the strict decoder refuses, the peek still works */
	buf[len] = 0;
	buf[0] = (uint8_t)(buf[0] + 1);
	assert_int_equal(dnsrec_decode(buf, len + 1, &r), -1);
	assert_int_equal(dnsrec_peek_soa_serial(buf, len + 1, &serial), 0);
	/* not an SOA, or too short */
	buf[2] = DNSREC_TYPE_A;
	assert_int_equal(dnsrec_peek_soa_serial(buf, len + 1, &serial), -1);
	assert_int_equal(dnsrec_peek_soa_serial(buf, 30, &serial), -1);
}

/* The Serial field: read at offset 8, ignored by the comparison and the
 * hash, nothing else ignored. */
static void
test_serial_layout(void **state)
{
	uint8_t a[sizeof(vec_a)], b[sizeof(vec_a)];
	uint64_t ha, hb;

	(void)state;
	assert_int_equal(dnsrec_serial_of(vec_a, sizeof(vec_a)), 1);
	assert_int_equal(dnsrec_serial_of(vec_soa, sizeof(vec_soa)),
	    2025112501u);
	assert_int_equal(dnsrec_serial_of(vec_a, DNSREC_HEADER_LEN - 1), 0);
	memcpy(a, vec_a, sizeof(a));
	memcpy(b, vec_a, sizeof(b));
	b[8] = 0x78;
	b[11] = 0x9a;
	assert_int_equal(dnsrec_serial_of(b, sizeof(b)), 0x9a000078u);
	assert_true(dnsrec_same_but_serial(a, sizeof(a), b, sizeof(b)));
	ha = dnsrec_hash_but_serial(NAME_FNV_BASIS, a, sizeof(a));
	hb = dnsrec_hash_but_serial(NAME_FNV_BASIS, b, sizeof(b));
	assert_true(ha == hb);
	b[7] ^= 1;			/* Flags */
	assert_false(dnsrec_same_but_serial(a, sizeof(a), b, sizeof(b)));
	assert_false(dnsrec_hash_but_serial(NAME_FNV_BASIS, b, sizeof(b)) ==
	    ha);
	b[7] ^= 1;
	b[12] ^= 1;			/* TTL */
	assert_false(dnsrec_same_but_serial(a, sizeof(a), b, sizeof(b)));
	b[12] ^= 1;
	b[sizeof(b) - 1] ^= 1;		/* data */
	assert_false(dnsrec_same_but_serial(a, sizeof(a), b, sizeof(b)));
	assert_false(dnsrec_same_but_serial(a, sizeof(a), a, sizeof(a) - 1));
	/* shorter than a header: all octets count */
	b[sizeof(b) - 1] ^= 1;
	b[8] = 0x01;
	b[9] = 0x02;
	assert_false(dnsrec_same_but_serial(a, 12, b, 12));
	assert_true(dnsrec_same_but_serial(a, 8, b, 8));
}

/* The owner value (ownrec.h): the exact bytes, parsed back; its time left
 * out of comparisons, its host not; malformed shapes are no owner value. */
static void
test_owner_value(void **state)
{
	static const char want[] =
	    "\x12vmgroup=1 host=hv1\x0ct=1764000000";
	uint8_t raw[OWNREC_RAW_BUF], a[DNSREC_BUF], b[DNSREC_BUF];
	struct dnsrec rec;
	struct ownrec o;
	size_t alen, blen;

	(void)state;
	dnsrec_init(&rec, DNSREC_TYPE_TXT, 7, 300, 0);
	assert_int_equal(ownrec_encode(&rec, "hv1", 1764000000, raw), 0);
	assert_int_equal(rec.rawlen, sizeof(want) - 1);
	assert_memory_equal(rec.raw, want, sizeof(want) - 1);
	assert_int_equal(dnsrec_encode(&rec, a, sizeof(a), &alen), 0);
	assert_int_equal(alen, DNSREC_HEADER_LEN + sizeof(want) - 1);
	assert_int_equal(ownrec_parse(a, alen, &o), 1);
	assert_string_equal(o.host, "hv1");
	assert_true(o.t == 1764000000);
	/* another time (as long), another serial: the same but serial */
	dnsrec_init(&rec, DNSREC_TYPE_TXT, 9, 300, 0);
	assert_int_equal(ownrec_encode(&rec, "hv1", 1799999999, raw), 0);
	assert_int_equal(dnsrec_encode(&rec, b, sizeof(b), &blen), 0);
	assert_true(dnsrec_same_but_serial(a, alen, b, blen));
	assert_true(dnsrec_hash_but_serial(1, a, alen) ==
	    dnsrec_hash_but_serial(1, b, blen));
	/* another host is another value */
	assert_int_equal(ownrec_encode(&rec, "hv2", 1764000000, raw), 0);
	assert_int_equal(dnsrec_encode(&rec, b, sizeof(b), &blen), 0);
	assert_false(dnsrec_same_but_serial(a, alen, b, blen));
	assert_int_equal(ownrec_parse(b, blen, &o), 1);
	assert_string_equal(o.host, "hv2");
	/* refused to encode: not a label, upper case, a negative time */
	assert_int_equal(ownrec_encode(&rec, "hv 1", 1, raw), -1);
	assert_int_equal(ownrec_encode(&rec, "HV1", 1, raw), -1);
	assert_int_equal(ownrec_encode(&rec, "hv1", -1, raw), -1);
	/* not owner values: a leading zero, a sign, a third string, no
	 * time, an upper-case host, another type */
	memcpy(b, a, alen);
	b[alen - 10] = '0';
	assert_int_equal(ownrec_parse(b, alen, &o), 0);
	b[alen - 10] = '-';
	assert_int_equal(ownrec_parse(b, alen, &o), 0);
	memcpy(b, a, alen);
	assert_int_equal(ownrec_parse(b, alen - 1, &o), 0);
	b[DNSREC_HEADER_LEN + 17] = 'H';
	assert_int_equal(ownrec_parse(b, alen, &o), 0);
	memcpy(b, a, alen);
	b[2] = DNSREC_TYPE_A;
	assert_int_equal(ownrec_parse(b, alen, &o), 0);
	assert_int_equal(ownrec_parse(vec_a, sizeof(vec_a), &o), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_a),
		cmocka_unit_test(test_vector_srv),
		cmocka_unit_test(test_count_name),
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_format_txt),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_peek_soa_serial),
		cmocka_unit_test(test_samba_vectors),
		cmocka_unit_test(test_reject_sizes),
		cmocka_unit_test(test_reject_names),
		cmocka_unit_test(test_name_codec),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_serial_layout),
		cmocka_unit_test(test_owner_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
