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
	assert_string_equal(text, "TYPE16 026869");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_a),
		cmocka_unit_test(test_vector_srv),
		cmocka_unit_test(test_count_name),
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
