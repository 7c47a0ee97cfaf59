/*
 * test_event.c - the strict spool event parser: every rejection with its
 * reason, and canonical output that parses back to the same event.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"

#define GOOD "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\",\"vm\":\"web1\"," \
	"\"image\":\"debian-12\",\"addresses\":[\"2001:db8::10\",\"192.0.2.10\"]," \
	"\"mac\":\"52:54:00:AB:cd:01\",\"source\":\"dhcp\",\"time\":1764000000," \
	"\"lease\":3600}"

static void
parse_ok(const char *doc, struct event *ev)
{
	char err[256] = "";

	if (event_parse(doc, strlen(doc), ev, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
}

static void
parse_bad(const char *doc, const char *why)
{
	struct event ev;
	char err[256] = "";

	assert_int_equal(event_parse(doc, strlen(doc), &ev, err, sizeof(err)),
	    -1);
	if (strstr(err, why) == NULL)
		fail_msg("for %s: error \"%s\" lacks \"%s\"", doc, err, why);
}

static void
test_good(void **state)
{
	struct event ev;
	char a[64];

	(void)state;
	parse_ok(GOOD, &ev);
	assert_int_equal(ev.op, EVENT_OP_REGISTER);
	assert_int_equal(ev.source, EVENT_SRC_DHCP);
	assert_string_equal(ev.host, "hv1");
	assert_string_equal(ev.vm, "web1");
	assert_string_equal(ev.image, "debian-12");
	assert_int_equal(ev.naddrs, 2);
	/* sorted: IPv4 first */
	assert_int_equal(event_addr_format(&ev.addrs[0], a, sizeof(a)), 0);
	assert_string_equal(a, "192.0.2.10");
	assert_int_equal(event_addr_format(&ev.addrs[1], a, sizeof(a)), 0);
	assert_string_equal(a, "2001:db8::10");
	assert_int_equal(ev.has_mac, 1);
	assert_memory_equal(ev.mac, "\x52\x54\x00\xab\xcd\x01", 6);
	assert_true(ev.time == 1764000000);
	assert_true(ev.expires == 1764003600);
}

static void
test_canonical_roundtrip(void **state)
{
	struct event a, b;
	char buf[EVENT_MAX_BYTES];

	(void)state;
	parse_ok(GOOD, &a);
	assert_int_equal(event_to_json(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "{\"version\":1,\"op\":\"register\","
	    "\"host\":\"hv1\",\"vm\":\"web1\",\"image\":\"debian-12\","
	    "\"addresses\":[\"192.0.2.10\",\"2001:db8::10\"],"
	    "\"mac\":\"52:54:00:ab:cd:01\",\"source\":\"dhcp\","
	    "\"time\":1764000000,\"expires\":1764003600}\n");
	parse_ok(buf, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	/* too small a buffer is an error, not a cut document */
	assert_int_equal(event_to_json(&a, buf, 40), -1);
	/* the longest names still write out (a fuzzer found this) */
	memset(a.host, 'h', 63);
	memset(a.vm, 'v', 63);
	memset(a.image, 'i', 63);
	a.host[63] = a.vm[63] = a.image[63] = '\0';
	assert_int_equal(event_to_json(&a, buf, sizeof(buf)), 0);
	parse_ok(buf, &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void
test_minimal_and_case(void **state)
{
	struct event ev;

	(void)state;
	parse_ok("{\"version\":1,\"op\":\"release\",\"host\":\"HV1\","
	    "\"vm\":\"Web1\",\"source\":\"static\",\"time\":5}", &ev);
	assert_int_equal(ev.op, EVENT_OP_RELEASE);
	assert_string_equal(ev.host, "hv1");
	assert_string_equal(ev.vm, "web1");
	assert_string_equal(ev.image, "");
	assert_int_equal(ev.naddrs, 0);
	assert_true(ev.expires == 0);
	parse_ok(" \n{\"version\":1,\"op\":\"refresh\",\"host\":\"h\",\"vm\":\"v\","
	    "\"source\":\"pcap\",\"time\":5,\"expires\":9,"
	    "\"addresses\":[\"192.0.2.1\"]}\n\n", &ev);
	assert_int_equal(ev.op, EVENT_OP_REFRESH);
	assert_true(ev.expires == 9);
}

#define HEAD "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\",\"source\":\"dhcp\"," \
	"\"time\":100,"

static void
test_rejections(void **state)
{
	char big[EVENT_MAX_BYTES + 10];

	(void)state;
	parse_bad("", "empty");
	parse_bad("[1]", "must be a JSON object");
	parse_bad("\"x\"", "must be a JSON object");
	parse_bad("{\"version\":1", "ends too early");
	parse_bad("{\"version\":1}x", "not JSON");
	parse_bad("{\"version\":1} {}", "not JSON");
	parse_bad("{\"version\":1,}", "not JSON");
	parse_bad("{'version':1}", "not JSON");
	parse_bad("{\"a\":{\"b\":{\"c\":[1]}}}", "nesting too deep");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],\"vm\":\"dc1\"}",
	    "given twice");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],\"color\":1}",
	    "unknown field \"color\"");
	parse_bad(HEAD "\"vm\":\"dc1.example.test\",\"addresses\":[\"192.0.2.1\"]}",
	    "field \"vm\": \"dc1.example.test\": only letters");
	parse_bad(HEAD "\"vm\":\"_ldap\",\"addresses\":[\"192.0.2.1\"]}",
	    "field \"vm\"");
	parse_bad(HEAD "\"vm\":\"hv2-x-vm\",\"addresses\":[\"192.0.2.1\"]}",
	    "group names");
	parse_bad(HEAD "\"vm\":\"a\\u0000b\",\"addresses\":[\"192.0.2.1\"]}",
	    "backslash");
	parse_bad(HEAD "\"vm\":7,\"addresses\":[\"192.0.2.1\"]}",
	    "field \"vm\": must be a string");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.300\"]}",
	    "not an IPv4 or IPv6 address");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"fe80::1%eth0\"]}",
	    "not an IPv4 or IPv6 address");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\",\"192.0.2.1\"]}",
	    "listed twice");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":\"192.0.2.1\"}",
	    "must be an array");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[]}", "at least one");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],"
	    "\"mac\":\"52-54-00-00-00-01\"}", "field \"mac\"");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],"
	    "\"lease\":\"3600\"}", "field \"lease\": must be a whole number");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],"
	    "\"lease\":0}", "field \"lease\": out of range");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],"
	    "\"lease\":1.5}", "must be a whole number");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],"
	    "\"lease\":60,\"expires\":1000}", "not both");
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\"],"
	    "\"expires\":50}", "must be after");
	parse_bad("{\"version\":2,\"op\":\"register\"}", "unsupported version");
	parse_bad("{\"version\":1,\"op\":\"delete\"}", "field \"op\"");
	parse_bad("{\"version\":1,\"op\":\"release\",\"host\":\"h\",\"vm\":\"v\","
	    "\"time\":5}", "field \"source\": missing");
	parse_bad("{\"version\":1,\"op\":\"release\",\"host\":\"h\",\"vm\":\"v\","
	    "\"source\":\"dhcp\"}", "field \"time\": missing");
	parse_bad("{\"version\":1,\"op\":\"release\",\"host\":\"h\",\"vm\":\"v\","
	    "\"source\":\"dhcp\",\"time\":-1}", "out of range");
	parse_bad("{\"unknown\xff\":1}", "not JSON");
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	parse_bad(big, "larger than 4096");
}

static void
test_nul_byte(void **state)
{
	static const char doc[] = "{\"version\":1}\0garbage";
	struct event ev;
	char err[128];

	(void)state;
	assert_int_equal(event_parse(doc, sizeof(doc) - 1, &ev, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
}

static void
test_too_many_addresses(void **state)
{
	char doc[2048];
	size_t off;
	int i;

	(void)state;
	off = (size_t)snprintf(doc, sizeof(doc), HEAD "\"vm\":\"a\","
	    "\"addresses\":[");
	for (i = 0; i < 17; i++)
		off += (size_t)snprintf(doc + off, sizeof(doc) - off,
		    "%s\"192.0.2.%d\"", i ? "," : "", i + 1);
	(void)snprintf(doc + off, sizeof(doc) - off, "]}");
	parse_bad(doc, "more than 16");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_canonical_roundtrip),
		cmocka_unit_test(test_minimal_and_case),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_too_many_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
