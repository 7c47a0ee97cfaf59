/*
 * test_name.c - DNS label rules for untrusted names, and our names.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "name.h"

static void
label_ok(const char *in, const char *want)
{
	char out[NAME_LABEL_BUF], err[200] = "";

	assert_int_equal(name_label_check(in, out, err, sizeof(err)), 0);
	assert_string_equal(out, want);
	assert_string_equal(err, "");
}

static void
label_bad(const char *in, const char *why)
{
	char out[NAME_LABEL_BUF], err[200] = "";

	assert_int_equal(name_label_check(in, out, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, why);
}

static void
test_labels(void **state)
{
	char long63[64], long64[65];

	(void)state;
	memset(long63, 'a', 63);
	long63[63] = '\0';
	memset(long64, 'a', 64);
	long64[64] = '\0';
	label_ok("web1", "web1");
	label_ok("WEB-1", "web-1");
	label_ok("0", "0");
	label_ok(long63, long63);
	label_bad(long64, "longer than 63");
	label_bad("", "empty");
	label_bad("dc1.example.test", "only letters, digits and hyphens");
	label_bad("a b", "only letters");
	label_bad("a,b", "only letters");
	label_bad("a\\", "only letters");
	label_bad("\xc3\xa9t\xc3\xa9", "only letters");
	label_bad("-x", "cannot start or end with a hyphen");
	label_bad("x-", "cannot start or end with a hyphen");
	label_bad("@", "zone apex");
	label_bad("_ldap", "service records");
	label_bad("DomainDnsZones", "reserved");
	label_bad("wpad", "reserved");
	label_bad("ISATAP", "reserved");
	label_bad("localhost", "reserved");
}

static void
test_quote(void **state)
{
	char out[NAME_LABEL_BUF], err[200];

	(void)state;
	/* control characters and non-ASCII never reach a message raw */
	assert_int_equal(name_label_check("a\nb\x1b[1m", out, err,
	    sizeof(err)), -1);
	assert_null(strchr(err, '\n'));
	assert_null(strchr(err, '\x1b'));
	assert_non_null(strstr(err, "a\\x0ab\\x1b[1m"));
}

static void
test_vm_names(void **state)
{
	char out[NAME_LABEL_BUF], err[200];

	(void)state;
	assert_int_equal(name_vm_check("web1", out, err, sizeof(err)), 0);
	assert_int_equal(name_vm_check("hv2-debian-12-vm", out, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "group names"));
	assert_int_equal(name_vm_check("HV2-X-VM", out, err, sizeof(err)), -1);
	assert_int_equal(name_vm_check("vm", out, err, sizeof(err)), 0);
}

static void
test_zones(void **state)
{
	char out[NAME_FQDN_BUF], err[200], big[300];

	(void)state;
	assert_int_equal(name_zone_check("Example.TEST.", out, err,
	    sizeof(err)), 0);
	assert_string_equal(out, "example.test");
	assert_int_equal(name_zone_check("2.0.192.in-addr.arpa", out, err,
	    sizeof(err)), 0);
	assert_int_equal(name_zone_check("a..b", out, err, sizeof(err)), -1);
	assert_int_equal(name_zone_check(".", out, err, sizeof(err)), -1);
	assert_int_equal(name_zone_check("a_b.test", out, err, sizeof(err)),
	    -1);
	memset(big, 'a', sizeof(big));
	for (size_t i = 63; i < sizeof(big); i += 64)
		big[i] = '.';
	big[254] = '\0';
	assert_int_equal(name_zone_check(big, out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "253"));
	big[253] = '\0';
	assert_int_equal(name_zone_check(big, out, err, sizeof(err)), 0);
}

static void
test_groups(void **state)
{
	char out[NAME_LABEL_BUF];

	(void)state;
	assert_int_equal(name_group("hv1", "debian-12", out), 0);
	assert_string_equal(out, "hv1-debian-12-vm");
	/* 71 octets: the hashed form, checked against an independent FNV-1a */
	assert_int_equal(name_group("hypervisor-17",
	    "ubuntu-22-04-server-cloudimg-amd64-hardened-cis-level2", out), 0);
	assert_string_equal(out,
	    "hypervisor-17-ubuntu-22-04-server-cloudimg-b4ccf3238ed2b424-vm");
	assert_true(strlen(out) <= 63);
	/* deterministic, and another image gives another name */
	assert_int_equal(name_group("hypervisor-17",
	    "ubuntu-22-04-server-cloudimg-amd64-hardened-cis-level3", out), 0);
	assert_string_not_equal(out,
	    "hypervisor-17-ubuntu-22-04-server-cloudimg-b4ccf3238ed2b424-vm");
	assert_true(name_fnv1a64("") == 0xcbf29ce484222325ULL);
	assert_true(name_fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
}

/* Every byte counts, the tail too; the same bytes, the same hash. */
static void
test_mix64(void **state)
{
	const char a[] = "hv1-img0-vm-member-0001", b[] = "hv1-img0-vm-memBer-0001";
	const char c[] = "hv1-img0-vm-member-0002";

	(void)state;
	assert_true(name_mix64(1, a, sizeof(a)) == name_mix64(1, a, sizeof(a)));
	assert_true(name_mix64(1, a, sizeof(a)) != name_mix64(1, b, sizeof(b)));
	assert_true(name_mix64(1, a, sizeof(a)) != name_mix64(1, c, sizeof(c)));
	assert_true(name_mix64(1, a, 8) != name_mix64(1, a, 9));
	assert_true(name_mix64(1, a, 3) != name_mix64(1, a, 2));
}

static void
test_srv_fqdn(void **state)
{
	char out[NAME_FQDN_BUF], big[250];

	(void)state;
	assert_int_equal(name_srv_host("hv1", out), 0);
	assert_string_equal(out, "_vmgroup._tcp.hv1");
	assert_int_equal(name_srv_group("hv1-debian-12-vm", out), 0);
	assert_string_equal(out, "_vm._tcp.hv1-debian-12-vm");
	assert_int_equal(name_fqdn("web1", "example.test", out), 0);
	assert_string_equal(out, "web1.example.test");
	assert_int_equal(name_fqdn("@", "example.test", out), 0);
	assert_string_equal(out, "example.test");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(name_fqdn(big, "example.test", out), -1);
}

static void
test_ptr(void **state)
{
	char out[NAME_FQDN_BUF];
	uint8_t a4[4], a6[16];

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.10", a4), 1);
	assert_int_equal(name_ptr(AF_INET, a4, out), 0);
	assert_string_equal(out, "10.2.0.192.in-addr.arpa");
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1:ab", a6), 1);
	assert_int_equal(name_ptr(AF_INET6, a6, out), 0);
	assert_string_equal(out, "b.a.0.0.1.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(name_ptr(12345, a4, out), -1);
}

static void
test_relative(void **state)
{
	char out[NAME_FQDN_BUF];

	(void)state;
	assert_int_equal(name_relative("10.2.0.192.in-addr.arpa",
	    "2.0.192.in-addr.arpa", out), 0);
	assert_string_equal(out, "10");
	assert_int_equal(name_relative("a.b.Example.Test", "example.test",
	    out), 0);
	assert_string_equal(out, "a.b");
	assert_int_equal(name_relative("example.test", "example.test", out), 0);
	assert_string_equal(out, "@");
	assert_int_equal(name_relative("xexample.test", "example.test", out),
	    -1);
	assert_int_equal(name_relative("example.org", "example.test", out), -1);
	assert_int_equal(name_relative("test", "example.test", out), -1);
}

/* A string of n copies of c (n < 300). */
static const char *
rep(char c, size_t n)
{
	static char buf[4][300];
	static int k;
	char *b = buf[k++ % 4];

	memset(b, c, n);
	b[n] = '\0';
	return b;
}

static void
test_label_reasons(void **state)
{
	char out[NAME_LABEL_BUF], zout[NAME_FQDN_BUF], err[200], big[400];

	(void)state;
	/* which octet, shown escaped */
	label_bad("dc1.example.test", "\"dc1.example.test\": only letters, "
	    "digits and hyphens are allowed in a DNS label (octet 4 is '.')");
	label_bad("ab\xff", "(octet 3 is '\\xff')");
	label_bad("a\"b", "(octet 2 is '\\x22')");
	label_bad("_msdcs", "service records");
	label_bad("ForestDnsZones", "directory partition");
	label_bad("WPAD", "global query block list");
	label_bad("localhost", "loopback");
	/* a long hostile input is quoted capped, never whole */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[5] = '\x01';
	assert_int_equal(name_label_check(big, out, err, sizeof(err)), -1);
	assert_true(strlen(err) < 120);
	assert_non_null(strstr(err, "...\""));
	assert_non_null(strstr(err, "longer than 63"));
	/* a tiny or missing err buffer is fine */
	assert_int_equal(name_label_check("a b", out, err, 4), -1);
	assert_true(strlen(err) <= 3);
	assert_int_equal(name_label_check("a b", out, NULL, 0), -1);
	/* zones say which label */
	assert_int_equal(name_zone_check("a.b c.test", zout, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "label 2: only letters, digits and "
	    "hyphens are allowed in a DNS label (octet 2 is ' ')"));
	assert_non_null(strstr(err, "\"a.b c.test\""));
	assert_int_equal(name_zone_check("a.-b.test", zout, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "label 2: a DNS label cannot start"));
	assert_int_equal(name_zone_check(".a", zout, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "label 1: empty label"));
}

static void
test_label_syntax(void **state)
{
	char out[NAME_LABEL_BUF], zout[NAME_FQDN_BUF], err[200];

	(void)state;
	/* no reserved names, same syntax */
	assert_int_equal(name_label_syntax("WPAD", out, err, sizeof(err)), 0);
	assert_string_equal(out, "wpad");
	assert_int_equal(name_label_syntax("localhost", out, err, sizeof(err)),
	    0);
	assert_int_equal(name_label_syntax("_ldap", out, err, sizeof(err)),
	    -1);
	assert_int_equal(name_label_syntax("@", out, err, sizeof(err)), -1);
	assert_int_equal(name_label_syntax("", out, err, sizeof(err)), -1);
	assert_int_equal(name_label_syntax(rep('x', 64), out, err,
	    sizeof(err)), -1);
	assert_int_equal(name_label_syntax(rep('x', 63), out, err,
	    sizeof(err)), 0);
	assert_int_equal(name_label_syntax("xn--bcher-kva", out, err,
	    sizeof(err)), 0);
	/* zones: the whole 253 octets and the label limit inside one */
	assert_int_equal(name_zone_check("a.b.", zout, err, sizeof(err)), 0);
	assert_string_equal(zout, "a.b");
	assert_int_equal(name_zone_check("a.b..", zout, err, sizeof(err)), -1);
	assert_int_equal(name_zone_check("", zout, err, sizeof(err)), -1);
	assert_int_equal(name_zone_check("_msdcs.example.test", zout, err,
	    sizeof(err)), -1);
}

static void
test_group_rule(void **state)
{
	char out[NAME_LABEL_BUF], h[80];

	(void)state;
	/* 63 octets: kept as is; 64: hashed, still 63 at most */
	assert_int_equal(name_group(rep('h', 30), rep('g', 29), out), 0);
	assert_int_equal(strlen(out), 63);
	assert_ptr_equal(strchr(out, '-'), out + 30);
	assert_ptr_equal(strchr(out + 31, '-'), out + 60);
	assert_string_equal(out + 60, "-vm");
	assert_int_equal(name_group(rep('h', 30), rep('g', 30), out), 0);
	assert_string_equal(out, "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhh-gggggggggggg-"
	    "d8e447f5391d6a6c-vm");
	/* octet 43 is the hyphen between host and group: dropped */
	assert_int_equal(name_group(rep('a', 42), rep('b', 30), out), 0);
	assert_string_equal(out, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-"
	    "41e9eda1251790e4-vm");
	/* two hyphens at the cut: both dropped */
	assert_int_equal(snprintf(h, sizeof(h), "%s--b", rep('a', 41)), 44);
	assert_int_equal(name_group(h, rep('x', 30), out), 0);
	assert_string_equal(out, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-"
	    "757966e7c6cfc277-vm");
	/* the longest inputs */
	assert_int_equal(name_group(rep('a', 63), rep('b', 63), out), 0);
	assert_string_equal(out, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-"
	    "1d332bb282135e39-vm");
	/* folded first, so the same group whatever the case */
	assert_int_equal(name_group("HV1", "Debian-12", out), 0);
	assert_string_equal(out, "hv1-debian-12-vm");
	/* not labels: refused */
	assert_int_equal(name_group("", "x", out), -1);
	assert_int_equal(name_group("hv1", "", out), -1);
	assert_int_equal(name_group("hv1", "a.b", out), -1);
	assert_int_equal(name_group("hv1", "-x", out), -1);
	assert_int_equal(name_group(rep('a', 64), "x", out), -1);
}

static void
test_name_edges(void **state)
{
	char out[NAME_FQDN_BUF], rel[NAME_FQDN_BUF];
	uint8_t a4[4] = { 10, 1, 2, 4 };
	uint8_t a6[16] = { 0 };

	(void)state;
	assert_int_equal(name_ptr(AF_INET, a4, out), 0);
	assert_string_equal(out, "4.2.1.10.in-addr.arpa");
	assert_int_equal(name_ptr(AF_INET6, a6, out), 0);
	assert_int_equal(strlen(out), 64 + 8);
	assert_int_equal(name_srv_host("", out), -1);
	assert_int_equal(name_srv_group("", out), -1);
	assert_int_equal(name_fqdn("", "example.test", out), -1);
	assert_int_equal(name_fqdn("a", "", out), -1);
	/* exactly 253 octets fits, 254 does not */
	assert_int_equal(snprintf(rel, sizeof(rel), "%s.%s.%s",
	    rep('a', 63), rep('b', 63), rep('c', 50)), 178);
	assert_int_equal(name_fqdn(rel, rep('z', 74), out), 0);
	assert_int_equal(strlen(out), 253);
	assert_int_equal(name_fqdn(rel, rep('z', 75), out), -1);
	/* relative names */
	assert_int_equal(name_relative(out, rep('z', 74), rel), 0);
	assert_int_equal(strlen(rel), 178);
	assert_int_equal(name_relative("a.example.test", "", out), -1);
	assert_int_equal(name_relative("", "", out), -1);
	assert_int_equal(name_relative(".example.test", "example.test", out),
	    -1);
	assert_int_equal(name_relative("A.EXAMPLE.test", "Example.Test", out),
	    0);
	assert_string_equal(out, "A");
	assert_int_equal(name_relative("a.example.test.", "example.test", out),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_vm_names),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_mix64),
		cmocka_unit_test(test_srv_fqdn),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_label_reasons),
		cmocka_unit_test(test_label_syntax),
		cmocka_unit_test(test_group_rule),
		cmocka_unit_test(test_name_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
