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
#include <sys/socket.h>

#include <cmocka.h>

#include "event.h"
#include "xmem.h"

#define GOOD "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\",\"vm\":\"web1\"," \
	"\"image\":\"debian-12\",\"addresses\":[\"2001:db8::10\",\"192.0.2.10\"]," \
	"\"mac\":\"52:54:00:AB:cd:01\",\"source\":\"dhcp\",\"time\":1764000000," \
	"\"lease\":3600}"

static void
parse_ok(const char *doc, struct event *ev)
{
	char err[256] = "";

	if (event_parse(doc, strlen(doc), ev, err, sizeof(err)) != 0)
		fail_msg("refused %s: %s", doc, err);
}

/* Refused, and the message holds every one of the given pieces (NULL
 * ends the list). */
static void
parse_bad(const char *doc, const char *why, ...)
{
	struct event ev;
	char err[256] = "";
	const char *w;
	va_list ap;

	if (event_parse(doc, strlen(doc), &ev, err, sizeof(err)) != -1)
		fail_msg("accepted %s", doc);
	va_start(ap, why);
	for (w = why; w != NULL; w = va_arg(ap, const char *))
		if (strstr(err, w) == NULL)
			fail_msg("for %s: error \"%s\" lacks \"%s\"", doc, err,
			    w);
	va_end(ap);
}

static void
test_good(void **state)
{
	struct event ev;
	char a[64];

	(void)state;
	parse_ok(GOOD, &ev);
	assert_int_equal(ev.version, 1);
	assert_int_equal(ev.op, EVENT_OP_REGISTER);
	assert_int_equal(ev.source, EVENT_SRC_DHCP);
	assert_string_equal(ev.host, "hv1");
	assert_string_equal(ev.vm, "web1");
	assert_string_equal(ev.image, "debian-12");
	assert_int_equal(ev.naddrs, 2);
	/* sorted: IPv4 first */
	assert_int_equal(ev.addrs[0].family, AF_INET);
	assert_int_equal(event_addr_format(&ev.addrs[0], a, sizeof(a)), 0);
	assert_string_equal(a, "192.0.2.10");
	assert_int_equal(ev.addrs[1].family, AF_INET6);
	assert_int_equal(event_addr_format(&ev.addrs[1], a, sizeof(a)), 0);
	assert_string_equal(a, "2001:db8::10");
	/* a buffer too small for the text is an error */
	assert_int_equal(event_addr_format(&ev.addrs[1], a, 5), -1);
	assert_int_equal(ev.has_mac, 1);
	assert_memory_equal(ev.mac, "\x52\x54\x00\xab\xcd\x01", 6);
	assert_true(ev.time == 1764000000);
	assert_true(ev.expires == 1764003600);
}

static void
test_canonical_roundtrip(void **state)
{
	struct event a, b;
	char buf[EVENT_MAX_BYTES], buf2[EVENT_MAX_BYTES];

	(void)state;
	parse_ok(GOOD, &a);
	assert_int_equal(event_to_json(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "{\"version\":1,\"op\":\"register\","
	    "\"host\":\"hv1\",\"vm\":\"web1\",\"image\":\"debian-12\","
	    "\"addresses\":[\"192.0.2.10\",\"2001:db8::10\"],"
	    "\"mac\":\"52:54:00:ab:cd:01\",\"source\":\"dhcp\","
	    "\"time\":1764000000,\"expires\":1764003600}\n");
	parse_ok(buf, &b);
	assert_true(event_equal(&a, &b));
	assert_memory_equal(&a, &b, sizeof(a));
	/* the canonical form is a fixed point */
	assert_int_equal(event_to_json(&b, buf2, sizeof(buf2)), 0);
	assert_string_equal(buf, buf2);
	/* too small a buffer is an error, not a cut document */
	assert_int_equal(event_to_json(&a, buf, 40), -1);
	assert_int_equal(event_to_json(&a, buf, strlen(buf2)), -1);
	assert_int_equal(event_to_json(&a, buf, strlen(buf2) + 1), 0);
	/* the longest names still write out (a fuzzer found this) */
	memset(a.host, 'h', 63);
	memset(a.vm, 'v', 63);
	memset(a.image, 'i', 63);
	a.host[63] = a.vm[63] = a.image[63] = '\0';
	assert_int_equal(event_to_json(&a, buf, sizeof(buf)), 0);
	parse_ok(buf, &b);
	assert_true(event_equal(&a, &b));
}

/* event_to_json writes only what event_parse could have produced. */
static void
test_to_json_refuses_invalid(void **state)
{
	struct event a, b;
	char buf[EVENT_MAX_BYTES];

	(void)state;
	parse_ok(GOOD, &a);
	b = a;
	assert_int_equal(xstrlcpy(b.vm, "we\"b", sizeof(b.vm)), 0);
	assert_int_equal(event_to_json(&b, buf, sizeof(buf)), -1);
	b = a;
	assert_int_equal(xstrlcpy(b.host, "HV1", sizeof(b.host)), 0);
	assert_int_equal(event_to_json(&b, buf, sizeof(buf)), -1);
	b = a;
	b.host[0] = '\0';
	assert_int_equal(event_to_json(&b, buf, sizeof(buf)), -1);
	b = a;
	memset(b.image, 'i', sizeof(b.image));	/* not terminated */
	assert_int_equal(event_to_json(&b, buf, sizeof(buf)), -1);
	b = a;
	b.op = (enum event_op)7;
	assert_int_equal(event_to_json(&b, buf, sizeof(buf)), -1);
	b = a;
	b.naddrs = EVENT_MAX_ADDRS + 1;
	assert_int_equal(event_to_json(&b, buf, sizeof(buf)), -1);
	b = a;
	b.addrs[0].family = 99;
	assert_int_equal(event_to_json(&b, buf, sizeof(buf)), -1);
	/* and event_equal sees each difference */
	b = a;
	assert_true(event_equal(&a, &b));
	b.mac[5] ^= 1;
	assert_false(event_equal(&a, &b));
	b = a;
	b.addrs[1].u.v6.s6_addr[15] ^= 1;
	assert_false(event_equal(&a, &b));
	b = a;
	b.expires++;
	assert_false(event_equal(&a, &b));
	b = a;
	b.image[0] = '\0';
	assert_false(event_equal(&a, &b));
}

static void
test_minimal_and_case(void **state)
{
	struct event ev;
	char buf[EVENT_MAX_BYTES];

	(void)state;
	parse_ok("{\"version\":1,\"op\":\"release\",\"host\":\"HV1\","
	    "\"vm\":\"Web1\",\"source\":\"static\",\"time\":5}", &ev);
	assert_int_equal(ev.op, EVENT_OP_RELEASE);
	assert_int_equal(ev.source, EVENT_SRC_STATIC);
	assert_string_equal(ev.host, "hv1");
	assert_string_equal(ev.vm, "web1");
	assert_string_equal(ev.image, "");
	assert_int_equal(ev.has_mac, 0);
	assert_int_equal(ev.naddrs, 0);
	assert_true(ev.expires == 0);
	assert_int_equal(event_to_json(&ev, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "{\"version\":1,\"op\":\"release\","
	    "\"host\":\"hv1\",\"vm\":\"web1\",\"addresses\":[],"
	    "\"source\":\"static\",\"time\":5}\n");
	/* whitespace around and inside, fields in any order */
	parse_ok(" \n{ \"time\" : 5 ,\t\"expires\":9,\"version\":1,\"op\":"
	    "\"refresh\",\"host\":\"h\",\"vm\":\"v\",\"source\":\"pcap\","
	    "\"addresses\":[ \"192.0.2.1\" ]}\r\n\n", &ev);
	assert_int_equal(ev.op, EVENT_OP_REFRESH);
	assert_int_equal(ev.source, EVENT_SRC_PCAP);
	assert_true(ev.expires == 9);
	/* a release may list addresses; IPv4 sorts first */
	parse_ok("{\"version\":1,\"op\":\"release\",\"host\":\"h\",\"vm\":\"v\","
	    "\"source\":\"libvirt\",\"time\":5,\"addresses\":[\"2001:db8::1\","
	    "\"192.0.2.1\"]}", &ev);
	assert_int_equal(ev.source, EVENT_SRC_LIBVIRT);
	assert_int_equal(ev.naddrs, 2);
	assert_int_equal(ev.addrs[0].family, AF_INET);
	assert_int_equal(ev.addrs[1].family, AF_INET6);
}

/* The boundaries of every number. */
static void
test_ranges(void **state)
{
	struct event ev;

	(void)state;
#define REL "{\"version\":1,\"op\":\"release\",\"host\":\"h\",\"vm\":\"v\"," \
	"\"source\":\"dhcp\","
	parse_ok(REL "\"time\":1}", &ev);
	parse_ok(REL "\"time\":253402300799}", &ev);
	assert_true(ev.time == 253402300799LL);
	parse_bad(REL "\"time\":253402300800}", "field \"time\": out of range",
	    NULL);
	parse_bad(REL "\"time\":0}", "field \"time\": out of range", NULL);
	parse_bad(REL "\"time\":-1}", "field \"time\": out of range", NULL);
	parse_bad(REL "\"time\":99999999999999999999999}", "field \"time\": "
	    "out of range", NULL);
	parse_bad(REL "\"time\":-99999999999999999999999}", "field \"time\": "
	    "out of range", NULL);
	parse_ok(REL "\"time\":100,\"lease\":1}", &ev);
	assert_true(ev.expires == 101);
	parse_ok(REL "\"time\":100,\"lease\":316224000}", &ev);
	assert_true(ev.expires == 100 + 316224000LL);
	parse_bad(REL "\"time\":100,\"lease\":316224001}", "field \"lease\": "
	    "out of range (1 to 316224000)", NULL);
	parse_bad(REL "\"time\":100,\"lease\":0}", "field \"lease\": out of "
	    "range", NULL);
	parse_bad(REL "\"time\":253402300000,\"lease\":31536000}",
	    "field \"lease\": ends after the year 9999", NULL);
	parse_ok(REL "\"time\":100,\"expires\":101}", &ev);
	assert_true(ev.expires == 101);
	parse_bad(REL "\"time\":100,\"expires\":100}", "field \"expires\": "
	    "must be after \"time\"", NULL);
	parse_bad(REL "\"time\":100,\"expires\":0}", "field \"expires\": out "
	    "of range", NULL);
	parse_bad(REL "\"time\":100,\"expires\":253402300800}",
	    "field \"expires\": out of range", NULL);
#undef REL
}

#define HEAD "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\"," \
	"\"source\":\"dhcp\",\"time\":100,"
#define ADDR "\"addresses\":[\"192.0.2.1\"]"

/* Not an acceptable JSON document at all. */
static void
test_bad_json(void **state)
{
	(void)state;
	parse_bad("", "empty", NULL);
	parse_bad("[1]", "must be a JSON object", NULL);
	parse_bad("\"x\"", "must be a JSON object", NULL);
	parse_bad("123", "must be a JSON object", NULL);
	parse_bad("null", "must be a JSON object", NULL);
	parse_bad("  \n ", "must be a JSON object", NULL);
	parse_bad("\xef\xbb\xbf{\"version\":1}", "must be a JSON object", NULL);
	parse_bad("{\"version\":1", "not JSON", "ends too early", NULL);
	parse_bad("{\"version\":1}x", "not JSON", NULL);
	parse_bad("{\"version\":1} {}", "not JSON", NULL);
	parse_bad("{\"version\":1,}", "not JSON", NULL);
	parse_bad("{'version':1}", "not JSON", "single quotes", NULL);
	parse_bad("{\"version\":1,/*c*/\"op\":\"register\"}", "not JSON", NULL);
	parse_bad("{\"version\":1}//c", "not JSON", NULL);
	parse_bad("{\"version\":01}", "not JSON", NULL);
	parse_bad("{version:1}", "not JSON", NULL);
	parse_bad("{\"a\":{\"b\":{\"c\":[1]}}}", "nesting too deep", NULL);
	parse_bad("{\"addresses\":[[[\"x\"]]]}", "nesting too deep", NULL);
	/* UTF-8: bad bytes, cut sequences, overlong forms, surrogates,
	 * code points past U+10FFFF (json-c alone lets the last three in) */
	parse_bad("{\"unknown\xff\":1}", "not valid UTF-8 (at byte 9)", NULL);
	parse_bad("{\"vm\":\"caf\xc3\"}", "not valid UTF-8 (at byte 10)", NULL);
	parse_bad("{\"vm\":\"\xc3\"}", "not valid UTF-8 (at byte 7)", NULL);
	parse_bad("{\"vm\":\"\xc0\xaf\"}", "not valid UTF-8", NULL);
	parse_bad("{\"vm\":\"\xe0\x80\xaf\"}", "not valid UTF-8", NULL);
	parse_bad("{\"vm\":\"\xed\xa0\x80\"}", "not valid UTF-8", NULL);
	parse_bad("{\"vm\":\"\xf4\x90\x80\x80\"}", "not valid UTF-8", NULL);
	parse_bad("{\"vm\":\"\xf0\x8f\xbf\xbf\"}", "not valid UTF-8", NULL);
	parse_bad("{\"vm\":\"\xe2\x82\"}", "not valid UTF-8", NULL);
	parse_bad("{\"vm\":\"\xe2\x82\xac\xac\"}", "not valid UTF-8", NULL);
	/* valid UTF-8 gets as far as the field's own check */
	parse_bad("{\"vm\":\"\xe2\x82\xac\xf0\x9f\x98\x80\xed\x9f\xbf\"}",
	    "field \"vm\"", "only letters", NULL);
	parse_bad(HEAD "\"vm\":\"a\\u0000b\"," ADDR "}", "backslash", NULL);
	parse_bad(HEAD "\"vm\":\"\\u0061\"," ADDR "}", "backslash", NULL);
}

static void
test_bad_fields(void **state)
{
	(void)state;
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"vm\":\"dc1\"}",
	    "field \"vm\": given more than once", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"time\":100}",
	    "field \"time\": given more than once", NULL);
	/* a repeated unknown field is quoted, never raw */
	parse_bad("{\"x\x1b[1m\":1,\"x\x1b[1m\":2}",
	    "field \"x\\x1b[1m\": given more than once", NULL);
	/* a key inside the array or a string value is no top-level key */
	parse_bad(HEAD "\"vm\":\"vm\"," ADDR ",\"image\":\"time\","
	    "\"lease\":0}", "field \"lease\": out of range", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"color\":1}",
	    "unknown field \"color\"", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"Time\":1}",
	    "unknown field \"Time\"", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"\x1b]0;x\x07\":1}",
	    "unknown field \"\\x1b]0;x\\x07\"", NULL);
	parse_bad("{\"version\":2,\"op\":\"register\"}",
	    "field \"version\": unsupported version", NULL);
	parse_bad("{\"version\":\"1\",\"op\":\"register\"}",
	    "field \"version\": must be a whole number", NULL);
	parse_bad("{\"version\":1.0}",
	    "field \"version\": must be a whole number", NULL);
	parse_bad("{\"version\":1,\"op\":\"delete\"}",
	    "field \"op\": not one of the allowed values", NULL);
	parse_bad("{\"version\":1,\"op\":\"Register\"}", "field \"op\"", NULL);
	parse_bad("{\"version\":1,\"op\":1}", "field \"op\": must be a string",
	    NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"source\":\"arp\"}",
	    "given more than once", NULL);
	parse_bad("{\"version\":1,\"source\":\"arp\"}",
	    "field \"source\": not one of the allowed values", NULL);
	parse_bad("{\"version\":1,\"source\":null}",
	    "field \"source\": must be a string", NULL);
	parse_bad("{\"version\":1,\"time\":\"100\"}",
	    "field \"time\": must be a whole number", NULL);
	parse_bad("{\"version\":1,\"time\":1e3}",
	    "field \"time\": must be a whole number", NULL);
	parse_bad("{\"version\":1,\"time\":true}",
	    "field \"time\": must be a whole number", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"lease\":\"3600\"}",
	    "field \"lease\": must be a whole number", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"lease\":1.5}",
	    "field \"lease\": must be a whole number", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"lease\":60,\"expires\":1000}",
	    "field \"lease\"", "not both", NULL);
}

/* Past the keys kept for naming, a repeat is still found (by count). */
static void
test_many_keys(void **state)
{
	char doc[1024];
	size_t off = 0;
	int i;

	(void)state;
	doc[off++] = '{';
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(doc + off, sizeof(doc) - off,
		    "\"k%d\":%d,", i, i);
	(void)snprintf(doc + off, sizeof(doc) - off, "\"k39\":1}");
	parse_bad(doc, "a field is given more than once", NULL);
	(void)snprintf(doc + off, sizeof(doc) - off, "\"k0\":1}");
	parse_bad(doc, "field \"k0\": given more than once", NULL);
	(void)snprintf(doc + off, sizeof(doc) - off, "\"k40\":1}");
	parse_bad(doc, "unknown field \"k0\"", NULL);
}

static void
test_bad_names(void **state)
{
	(void)state;
	parse_bad(HEAD "\"vm\":\"dc1.example.test\"," ADDR "}",
	    "field \"vm\": \"dc1.example.test\"", "only letters", NULL);
	parse_bad(HEAD "\"vm\":\"_ldap\"," ADDR "}", "field \"vm\"",
	    "reserved", NULL);
	parse_bad(HEAD "\"vm\":\"WPAD\"," ADDR "}", "field \"vm\"",
	    "reserved", NULL);
	parse_bad(HEAD "\"vm\":\"@\"," ADDR "}", "field \"vm\"", "reserved",
	    NULL);
	parse_bad(HEAD "\"vm\":\"hv2-x-vm\"," ADDR "}", "field \"vm\"",
	    "group names", NULL);
	parse_bad(HEAD "\"vm\":\"-a\"," ADDR "}", "field \"vm\"", "hyphen",
	    NULL);
	parse_bad(HEAD "\"vm\":\"\"," ADDR "}", "field \"vm\"", "empty", NULL);
	parse_bad(HEAD "\"vm\":\"a234567890123456789012345678901234567890"
	    "123456789012345678901234\"," ADDR "}",
	    "field \"vm\"", "label longer than 63 octets", NULL);
	parse_bad(HEAD "\"vm\":\"caf\xc3\xa9\"," ADDR "}",
	    "field \"vm\": \"caf\\xc3\\xa9\"", NULL);
	parse_bad(HEAD "\"vm\":\"a\x1b[2Jb\"," ADDR "}",
	    "field \"vm\": \"a\\x1b[2Jb\"", NULL);
	parse_bad(HEAD "\"vm\":7," ADDR "}", "field \"vm\": must be a string",
	    NULL);
	parse_bad("{\"version\":1,\"host\":\"localhost\"}", "field \"host\"",
	    "reserved", NULL);
	parse_bad("{\"version\":1,\"host\":[\"hv1\"]}",
	    "field \"host\": must be a string", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"image\":\"debian_12\"}",
	    "field \"image\"", "only letters", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"image\":\"\"}",
	    "field \"image\"", "empty", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"image\":null}",
	    "field \"image\": must be a string", NULL);
}

static void
test_bad_addresses_mac(void **state)
{
	(void)state;
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\","
	    "\"192.0.2.300\"]}", "field \"addresses\": element 2 "
	    "(\"192.0.2.300\") is not an IPv4 or IPv6 address", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.01\"]}",
	    "element 1", "not an IPv4 or IPv6 address", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2\"]}",
	    "not an IPv4 or IPv6 address", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\" 192.0.2.1\"]}",
	    "not an IPv4 or IPv6 address", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"fe80::1%eth0\"]}",
	    "not an IPv4 or IPv6 address", "zone ids", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"2001:db8::1/64\"]}",
	    "not an IPv4 or IPv6 address", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"\"]}",
	    "not an IPv4 or IPv6 address", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"192.0.2.1\","
	    "\"192.0.2.1\"]}", "field \"addresses\": 192.0.2.1 is listed twice",
	    NULL);
	/* two spellings of one address are one address */
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[\"2001:DB8::1\","
	    "\"2001:db8:0::1\"]}", "2001:db8::1 is listed twice", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":\"192.0.2.1\"}",
	    "field \"addresses\": must be an array", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[3232235521]}",
	    "field \"addresses\": element 1 is not a string", NULL);
	parse_bad(HEAD "\"vm\":\"a\",\"addresses\":[]}", "field \"addresses\"",
	    "at least one", NULL);
	parse_bad(HEAD "\"vm\":\"a\"}", "field \"addresses\"", "at least one",
	    NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"mac\":\"52-54-00-00-00-01\"}",
	    "field \"mac\": must look like 52:54:00:12:34:56", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"mac\":\"52:54:00:00:00:0g\"}",
	    "field \"mac\"", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"mac\":\"52:54:00:00:00:01:\"}",
	    "field \"mac\"", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"mac\":\"5254.0000.0001\"}",
	    "field \"mac\"", NULL);
	parse_bad(HEAD "\"vm\":\"a\"," ADDR ",\"mac\":null}",
	    "field \"mac\": must be a string", NULL);
}

/* An address document for one address. */
static void
addr_doc(char *doc, size_t len, const char *op, const char *a)
{
	(void)snprintf(doc, len, "{\"version\":1,\"op\":\"%s\",\"host\":"
	    "\"hv1\",\"vm\":\"a\",\"source\":\"dhcp\",\"time\":1,"
	    "\"addresses\":[\"192.0.2.1\",\"%s\"]}", op, a);
}

/* Every class of special-purpose address is refused with its name, in a
 * registration and in a release; the neighbours of each range are not. */
static void
test_special_addresses(void **state)
{
	static const struct { const char *addr, *shown, *why; } bad[] = {
		{ "0.0.0.0", "0.0.0.0", "unspecified (0.0.0.0/8" },
		{ "0.255.255.255", "0.255.255.255", "unspecified (0.0.0.0/8" },
		{ "127.0.0.1", "127.0.0.1", "loopback (127.0.0.0/8)" },
		{ "127.255.255.254", "127.255.255.254", "loopback" },
		{ "169.254.0.1", "169.254.0.1", "link-local (169.254.0.0/16)" },
		{ "169.254.255.255", "169.254.255.255", "link-local" },
		{ "224.0.0.1", "224.0.0.1", "multicast (224.0.0.0/4)" },
		{ "239.255.255.250", "239.255.255.250", "multicast" },
		{ "255.255.255.255", "255.255.255.255",
		    "limited broadcast (255.255.255.255)" },
		{ "240.0.0.1", "240.0.0.1", "reserved (240.0.0.0/4)" },
		{ "255.255.255.254", "255.255.255.254", "reserved" },
		{ "::", "::", "unspecified (::)" },
		{ "0:0:0:0:0:0:0:0", "::", "unspecified (::)" },
		{ "::1", "::1", "loopback (::1)" },
		{ "fe80::1", "fe80::1", "link-local (fe80::/10)" },
		{ "FEBF:ffff::1", "febf:ffff::1", "link-local" },
		{ "ff02::1", "ff02::1", "multicast (ff00::/8)" },
		{ "ff05::1:3", "ff05::1:3", "multicast" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1",
		    "IPv4-mapped (::ffff:0:0/96" },
		{ "::ffff:0:0", "::ffff:0.0.0.0", "IPv4-mapped" },
	};
	static const char *const good[] = { "1.0.0.0", "126.255.255.255",
	    "128.0.0.0", "169.253.255.255", "169.255.0.0", "223.255.255.255",
	    "10.0.0.1", "172.16.0.1", "100.64.0.1", "::2", "fe7f::1",
	    "fec0::1", "fd00::1", "feff::1", "::fffe:c000:201",
	    "64:ff9b::c000:201", "2001:db8::1" };
	char doc[512], err[256], shown[64];
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(shown, sizeof(shown), "element 2 (\"%s\") is "
		    "a special-purpose address", bad[i].shown);
		addr_doc(doc, sizeof(doc), "register", bad[i].addr);
		parse_bad(doc, "field \"addresses\": ", shown, bad[i].why,
		    NULL);
		addr_doc(doc, sizeof(doc), "release", bad[i].addr);
		parse_bad(doc, shown, bad[i].why, NULL);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		addr_doc(doc, sizeof(doc), "register", good[i]);
		if (event_parse(doc, strlen(doc), &ev, err, sizeof(err)) != 0)
			fail_msg("%s refused: %s", good[i], err);
	}
}

static void
test_missing(void **state)
{
	(void)state;
	parse_bad("{}", "field \"version\": missing", NULL);
	parse_bad("{\"version\":1}", "field \"op\": missing", NULL);
	parse_bad("{\"version\":1,\"op\":\"release\"}", "field \"host\": missing",
	    NULL);
	parse_bad("{\"version\":1,\"op\":\"release\",\"host\":\"h\"}",
	    "field \"vm\": missing", NULL);
	parse_bad("{\"version\":1,\"op\":\"release\",\"host\":\"h\",\"vm\":\"v\","
	    "\"time\":5}", "field \"source\": missing", NULL);
	parse_bad("{\"version\":1,\"op\":\"release\",\"host\":\"h\",\"vm\":\"v\","
	    "\"source\":\"dhcp\"}", "field \"time\": missing", NULL);
}

static void
test_nul_and_size(void **state)
{
	static const char doc[] = "{\"version\":1}\0garbage";
	static const char doc2[] = "{\"version\":1,\"op\":\"re\0lease\"}";
	char big[EVENT_MAX_BYTES + 2], err[128];
	struct event ev;

	(void)state;
	assert_int_equal(event_parse(doc, sizeof(doc) - 1, &ev, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	assert_int_equal(event_parse(doc2, sizeof(doc2) - 1, &ev, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	/* exactly EVENT_MAX_BYTES is read, one more is refused */
	memset(big, ' ', sizeof(big));
	memcpy(big, GOOD, strlen(GOOD));
	big[EVENT_MAX_BYTES] = '\0';
	parse_ok(big, &ev);
	big[EVENT_MAX_BYTES] = ' ';
	big[EVENT_MAX_BYTES + 1] = '\0';
	parse_bad(big, "larger than 4096", NULL);
	/* a short error buffer is cut, still terminated */
	assert_int_equal(event_parse("[]", 2, &ev, err, 8), -1);
	assert_int_equal(strlen(err), 7);
}

static void
test_too_many_addresses(void **state)
{
	struct event ev;
	char doc[2048];
	size_t off;
	int i;

	(void)state;
	off = (size_t)snprintf(doc, sizeof(doc), HEAD "\"vm\":\"a\","
	    "\"addresses\":[");
	for (i = 0; i < 16; i++)
		off += (size_t)snprintf(doc + off, sizeof(doc) - off,
		    "%s\"2001:db8::%d\"", i ? "," : "", 16 - i);
	(void)snprintf(doc + off, sizeof(doc) - off, "]}");
	parse_ok(doc, &ev);
	assert_int_equal(ev.naddrs, 16);
	for (i = 1; i < 16; i++)
		assert_true(event_addr_cmp(&ev.addrs[i - 1], &ev.addrs[i]) < 0);
	(void)snprintf(doc + off, sizeof(doc) - off, ",\"192.0.2.1\"]}");
	parse_bad(doc, "field \"addresses\": more than 16", NULL);
}

static void
test_names_and_cmp(void **state)
{
	struct event_addr a4, b4, a6;

	(void)state;
	assert_string_equal(event_op_name(EVENT_OP_REGISTER), "register");
	assert_string_equal(event_op_name(EVENT_OP_RELEASE), "release");
	assert_string_equal(event_op_name(EVENT_OP_REFRESH), "refresh");
	assert_string_equal(event_op_name((enum event_op)9), "unknown");
	assert_string_equal(event_source_name(EVENT_SRC_DHCP), "dhcp");
	assert_string_equal(event_source_name(EVENT_SRC_STATIC), "static");
	assert_string_equal(event_source_name(EVENT_SRC_PCAP), "pcap");
	assert_string_equal(event_source_name(EVENT_SRC_LIBVIRT), "libvirt");
	assert_string_equal(event_source_name((enum event_source)9),
	    "unknown");
	memset(&a4, 0, sizeof(a4));
	memset(&b4, 0, sizeof(b4));
	memset(&a6, 0, sizeof(a6));
	a4.family = b4.family = AF_INET;
	a6.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET, "255.255.255.255", &a4.u), 1);
	assert_int_equal(inet_pton(AF_INET, "10.0.0.1", &b4.u), 1);
	assert_int_equal(inet_pton(AF_INET6, "::", &a6.u), 1);
	assert_true(event_addr_cmp(&a4, &a6) < 0);	/* v4 first */
	assert_true(event_addr_cmp(&a6, &a4) > 0);
	assert_true(event_addr_cmp(&b4, &a4) < 0);	/* then bytes */
	assert_int_equal(event_addr_cmp(&a4, &a4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_canonical_roundtrip),
		cmocka_unit_test(test_to_json_refuses_invalid),
		cmocka_unit_test(test_minimal_and_case),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_bad_addresses_mac),
		cmocka_unit_test(test_special_addresses),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_nul_and_size),
		cmocka_unit_test(test_too_many_addresses),
		cmocka_unit_test(test_names_and_cmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
